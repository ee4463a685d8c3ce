// Memory a load will need, from the GGUF header alone (no weights read), for the scheduler's fit decisions:
// the tensor data, the KV cache (f16 keys and values for every layer and context position, per slot), and the
// compute and output buffers, whose size follows the batch and the vocabulary (logits are n_vocab floats per
// output row). CPU placement unless `numGpu` > 0 puts that share of layers in VRAM.

import { stat } from "node:fs/promises";
import { readGguf, type GgufFile } from "../../gguf/index.js";
import { ModelLoadError } from "../../util/errors.js";
import type { LoadOptions, MemoryUse } from "../types.js";

const F16 = 2;

export interface ModelShape {
  weights: number;
  layers: number;
  /** Key and value widths per layer (n_embd_k_gqa + n_embd_v_gqa). */
  kvWidth: number;
  embd: number;
  vocab: number;
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
  return {
    weights: g.fileSize - g.dataOffset,
    layers,
    kvWidth: headsKv * (keyLen + valLen),
    embd,
    vocab: Array.isArray(tokens) ? tokens.length : 0,
  };
}

/** RAM and VRAM for a model shape under `opts`. */
export function estimateFor(shape: ModelShape, opts: LoadOptions): MemoryUse {
  const slots = Math.max(1, opts.numParallel ?? 1);
  const ctx = opts.numCtx * slots;
  const batch = Math.min(opts.numBatch ?? 512, opts.numCtx);
  const kv = opts.embedding ? 0 : ctx * shape.layers * shape.kvWidth * F16;
  const compute = batch * (shape.vocab + shape.embd * 4) * 4;
  const gpuShare = opts.numGpu !== undefined && opts.numGpu > 0 && shape.layers > 0 ? Math.min(1, opts.numGpu / shape.layers) : 0;
  const onGpu = (shape.weights + kv) * gpuShare;
  return { ram: Math.round(shape.weights + kv + compute - onGpu), vram: Math.round(onGpu + (gpuShare > 0 ? compute : 0)) };
}

/** Header reads are cached per path and file identity (blobs are content-addressed, so rarely change). */
const cache = new Map<string, Promise<ModelShape>>();

export async function estimateMemory(opts: LoadOptions): Promise<MemoryUse> {
  let id: string;
  try {
    const st = await stat(opts.modelPath);
    id = `${opts.modelPath}\0${st.size}\0${st.mtimeMs}`;
  } catch (err) {
    throw new ModelLoadError(`unable to read model ${opts.modelPath}: ${(err as Error).message}`);
  }
  let pending = cache.get(id);
  if (!pending) {
    pending = readGguf(opts.modelPath, { validate: false }).then(shapeOf);
    pending.catch(() => cache.delete(id));
    if (cache.size >= 16) cache.delete(cache.keys().next().value!);
    cache.set(id, pending);
  }
  try {
    return estimateFor(await pending, opts);
  } catch (err) {
    throw new ModelLoadError(`unable to read model ${opts.modelPath}: ${(err as Error).message}`);
  }
}
