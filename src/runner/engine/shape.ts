// What the memory policy needs to know about a model, read from its GGUF header alone (no weights read):
// tensor bytes per repeating layer and of the output layer, the attention widths that size the KV cache,
// and the dimensions Ollama's compute-graph estimate uses.

import type { GgufFile } from "../../gguf/index.js";

export interface ModelShape {
  architecture: string;
  /** Bytes of all tensor data. */
  weights: number;
  /** Repeating layers (block_count). */
  layers: number;
  /** Tensor bytes of each repeating layer (`blk.N.*`), `layers` entries. */
  layerBytes: number[];
  /** Tensor bytes of the output layer: `output_norm` and `output`, or `token_embd` when the output is tied to it. */
  outputBytes: number;
  /**
   * Bytes of the output layer that stay in RAM wherever the output goes: `token_embd` when the output is tied
   * to it (the input layer always stays on the CPU, and llama.cpp gives the output its own copy).
   */
  outputShared: number;
  /** Key and value widths per layer (n_embd_k_gqa + n_embd_v_gqa). */
  kvWidth: number;
  embd: number;
  vocab: number;
  /** Attention heads (the largest, when per layer). */
  heads: number;
  /** Key/value heads (the largest, when per layer). */
  headsKv: number;
  /** Width of one key head. */
  headDim: number;
  /** Width of one value head. */
  headDimV: number;
}

export function shapeOf(g: GgufFile): ModelShape {
  const md = g.metadata;
  const arch = String(md["general.architecture"] ?? "");
  const n = (key: string): number | undefined => {
    const v = md[`${arch}.${key}`];
    if (typeof v === "number") return v;
    if (Array.isArray(v) && typeof v[0] === "number") return Math.max(...(v as number[]));
    return undefined;
  };
  const layers = n("block_count") ?? 0;
  const embd = n("embedding_length") ?? 0;
  const heads = n("attention.head_count") ?? 1;
  const headsKv = n("attention.head_count_kv") ?? heads;
  const keyLen = n("attention.key_length") ?? (heads ? embd / heads : 0);
  const valLen = n("attention.value_length") ?? keyLen;
  const tokens = md["tokenizer.ggml.tokens"];

  const layerBytes = new Array<number>(layers).fill(0);
  const named = new Map<string, number>();
  for (const t of g.tensors) {
    const size = t.size ?? 0;
    const m = /^blk\.(\d+)\./.exec(t.name);
    if (m) {
      const i = Number(m[1]);
      if (i < layers) layerBytes[i] += size;
    } else {
      const base = t.name.replace(/\.(weight|bias)$/, "");
      named.set(base, (named.get(base) ?? 0) + size);
    }
  }
  const tied = !named.has("output");
  return {
    architecture: arch,
    weights: g.fileSize - g.dataOffset,
    layers,
    layerBytes,
    outputBytes: (named.get("output_norm") ?? 0) + (named.get("output") ?? named.get("token_embd") ?? 0),
    outputShared: tied ? (named.get("token_embd") ?? 0) : 0,
    kvWidth: headsKv * (keyLen + valLen),
    embd,
    vocab: Array.isArray(tokens) ? tokens.length : 0,
    heads,
    headsKv,
    headDim: keyLen,
    headDimV: valLen,
  };
}
