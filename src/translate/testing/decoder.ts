// Decoders in llama.cpp's common layout (src/models/<arch>.cpp load_arch_tensors): the keys every
// decoder declares, the layer parts (attention, gated FFN, routed experts) and one builder that lays
// a decoder out — token embedding, output norm, the layers `blk.<i>.`, then whatever else the file
// carries — so each published architecture is a row of data, not a copy of the loop.

import { type GgufWriteTensor, writeGguf } from "../../gguf/index.js";
import { SPM_VOCAB, spmVocab } from "./vocab.js";
import { type Md, Weights, f32, str, u32 } from "./weights.js";

export interface SyntheticModel {
  /** The architecture the file claims (its key prefix). */
  arch: string;
  /** Metadata beside general.architecture and the vocabulary. */
  keys: Md;
  /** The tensors, drawn from the seeded weights. */
  tensors: (w: Weights) => GgufWriteTensor[];
  /** The vocabulary (default: stories260K's 512 SentencePiece tokens). */
  vocab?: Md;
}

/** Writes a synthetic model: its architecture, vocabulary, keys and seeded random tensors. */
export async function writeSynthetic(path: string, m: SyntheticModel, seed = 3): Promise<void> {
  const w = new Weights(seed);
  const metadata: Md = { "general.architecture": str(m.arch), ...(m.vocab ?? (await spmVocab())), ...m.keys };
  await writeGguf(path, { metadata, tensors: m.tensors(w) });
}

/** The hyper-parameters every decoder declares, under the architecture's prefix. */
export function decoderKeys(a: string, s: { embd: number; layers: number; ff: number; heads: number; kvHeads: number | number[]; headDim: number }): Md {
  return {
    [`${a}.context_length`]: u32(256),
    [`${a}.embedding_length`]: u32(s.embd),
    [`${a}.block_count`]: u32(s.layers),
    [`${a}.feed_forward_length`]: u32(s.ff),
    [`${a}.attention.head_count`]: u32(s.heads),
    [`${a}.attention.head_count_kv`]: Array.isArray(s.kvHeads) ? { type: "array<int32>", value: s.kvHeads } : u32(s.kvHeads),
    [`${a}.attention.key_length`]: u32(s.headDim),
    [`${a}.attention.value_length`]: u32(s.headDim),
    [`${a}.rope.dimension_count`]: u32(s.headDim),
    [`${a}.attention.layer_norm_rms_epsilon`]: f32(1e-6),
  };
}

/** A mixture of experts' keys: `count` experts of width `ff`, `used` per token, and a shared expert's width when it has one. */
export function expertKeys(a: string, count: number, used: number, ff: number, sharedFf?: number): Md {
  return {
    [`${a}.expert_count`]: u32(count),
    [`${a}.expert_used_count`]: u32(used),
    [`${a}.expert_feed_forward_length`]: u32(ff),
    ...(sharedFf === undefined ? {} : { [`${a}.expert_shared_feed_forward_length`]: u32(sharedFf) }),
  };
}

/** A decoder layer's attention: norm, Q/K/V, output (named `out`: Ollama's converters differ). */
export function attention(w: Weights, b: string, embd: number, q: number, kv: number, out = "attn_output"): GgufWriteTensor[] {
  return [
    w.norm(`${b}attn_norm.weight`, embd),
    w.tensor(`${b}attn_q.weight`, [embd, q]),
    w.tensor(`${b}attn_k.weight`, [embd, kv]),
    w.tensor(`${b}attn_v.weight`, [embd, kv]),
    w.tensor(`${b}${out}.weight`, [q, embd]),
  ];
}

/** A gated FFN (gate, up, down). */
export function ffn(w: Weights, b: string, embd: number, ff: number): GgufWriteTensor[] {
  return [w.tensor(`${b}ffn_gate.weight`, [embd, ff]), w.tensor(`${b}ffn_up.weight`, [embd, ff]), w.tensor(`${b}ffn_down.weight`, [ff, embd])];
}

/** Routed experts (router, gate/up/down) and, when `shared` > 0, a shared expert of that width. */
export function experts(w: Weights, b: string, embd: number, ff: number, n: number, shared = 0): GgufWriteTensor[] {
  const out = [
    w.tensor(`${b}ffn_gate_inp.weight`, [embd, n]),
    w.tensor(`${b}ffn_gate_exps.weight`, [embd, ff, n]),
    w.tensor(`${b}ffn_up_exps.weight`, [embd, ff, n]),
    w.tensor(`${b}ffn_down_exps.weight`, [ff, embd, n]),
  ];
  if (shared) out.push(...ffn(w, b, embd, shared).map((t) => ({ ...t, name: t.name.replace(/ffn_(gate|up|down)\./, "ffn_$1_shexp.") })));
  return out;
}

/** The token embedding and, unless tied, the output projection, over the default vocabulary. */
export function head(w: Weights, embd: number, output = true): GgufWriteTensor[] {
  return [w.tensor("token_embd.weight", [embd, SPM_VOCAB]), ...(output ? [w.tensor("output.weight", [embd, SPM_VOCAB])] : [])];
}

/** One published decoder as data: its keys and what each part of the file holds. */
export interface DecoderSpec {
  arch: string;
  dims: { embd: number; layers: number };
  keys: Md;
  vocab?: Md;
  /** The tensors before the output norm (default: token_embd and output over the default vocabulary). */
  head?: (w: Weights) => GgufWriteTensor[];
  /** Layer i's tensors, named under `b` = `blk.<i>.`. */
  layer: (w: Weights, b: string, i: number) => GgufWriteTensor[];
  /** Tensors after the layers: towers and heads the translation hides or keeps. */
  extra?: (w: Weights) => GgufWriteTensor[];
}

/** A decoder file's content: head, output_norm, the layers in order, then the extras. */
export function decoder(s: DecoderSpec): SyntheticModel {
  const { embd, layers } = s.dims;
  return {
    arch: s.arch,
    keys: s.keys,
    ...(s.vocab ? { vocab: s.vocab } : {}),
    tensors: (w) => [
      ...(s.head ? s.head(w) : head(w, embd)),
      w.norm("output_norm.weight", embd),
      ...Array.from({ length: layers }, (_, i) => s.layer(w, `blk.${i}.`, i)).flat(),
      ...(s.extra?.(w) ?? []),
    ],
  };
}

export interface LlamaLikeShape {
  /** The architecture the file claims (its key prefix). */
  arch: string;
  embd: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ff: number;
  qkvBias?: boolean;
  qkNorm?: boolean;
  /** Layers i with (i + 1) % every == 0 are mixture-of-experts, with a shared expert unless `shared` is false (llama4's interleave). */
  moe?: { every: number; experts: number; ff: number; shared?: boolean };
  /** Extra metadata (arch-prefixed keys, vision hyper-parameters). */
  keys?: Md;
  /** Extra tensors (an embedded vision tower in its published names). */
  tensors?: (w: Weights) => GgufWriteTensor[];
}

/**
 * A decoder in llama.cpp's common layout (token_embd, per-layer attention + gated FFN, output_norm), as
 * qwen2vl, qwen3vl and mistral3 load it (src/models/<arch>.cpp), with stories260K's vocabulary.
 */
export async function writeLlamaLike(path: string, s: LlamaLikeShape, seed = 3): Promise<void> {
  const q = s.heads * s.headDim;
  const kv = s.kvHeads * s.headDim;
  const m = s.moe;
  const layer = (w: Weights, b: string, i: number): GgufWriteTensor[] => [
    ...attention(w, b, s.embd, q, kv),
    w.norm(`${b}ffn_norm.weight`, s.embd),
    ...(m && (i + 1) % m.every === 0 ? experts(w, b, s.embd, m.ff, m.experts, m.shared === false ? 0 : m.ff) : ffn(w, b, s.embd, s.ff)),
    ...(s.qkvBias ? [w.tensor(`${b}attn_q.bias`, [q]), w.tensor(`${b}attn_k.bias`, [kv]), w.tensor(`${b}attn_v.bias`, [kv])] : []),
    ...(s.qkNorm ? [w.norm(`${b}attn_q_norm.weight`, s.headDim), w.norm(`${b}attn_k_norm.weight`, s.headDim)] : []),
  ];
  const model = decoder({ arch: s.arch, dims: s, keys: { ...decoderKeys(s.arch, s), ...s.keys }, head: (w) => head(w, s.embd, false), layer, extra: s.tensors });
  await writeSynthetic(path, model, seed);
}
