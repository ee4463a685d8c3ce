// Test models too large to commit (the BERT embedder and reranker, a LoRA adapter for stories260K, the
// 58M-parameter Q4_0 bench model, an all-MiniLM-shaped embedder for the embedding benchmark), generated deterministically with herd's own GGUF writer: random
// weights from a seeded PRNG plus a real tokenizer copied from the committed vocab files. They test
// mechanics and throughput, never output quality. Bump GENERATOR_VERSION whenever the output changes:
// it is part of the cache key, so stale files are never reused.

import { seededRandom as prng } from "./random.js";
import { floatFromHalf, halfFromFloat, halvesFromFloats, readGguf, typedMetadata, writeGguf, type GgufTypedValue, type GgufWriteTensor } from "../gguf/index.js";

export const GENERATOR_VERSION = 1;

/** Normally distributed values (Box–Muller), as trained weights roughly are. */
function normal(rand: () => number, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand())) * std;
    const th = 2 * Math.PI * rand();
    out[i] = r * Math.cos(th);
    if (i + 1 < n) out[i + 1] = r * Math.sin(th);
  }
  return out;
}

const filled = (n: number, v: number) => new Float32Array(n).fill(v);
const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const f32 = (name: string, dims: number[], data: Float32Array): GgufWriteTensor => ({ name, dims, type: "F32", data: bytes(data) });

const f16 = (name: string, dims: number[], data: Float32Array): GgufWriteTensor => ({ name, dims, type: "F16", data: halvesFromFloats(data, "F16") });

/**
 * ggml's Q4_0: blocks of 32 values, each an f16 scale `d` then 16 bytes of 4-bit codes `q` with
 * value = (q - 8) * d. The value of largest magnitude maps to code 0 (d = that value / -8), so the
 * grid spends its extra negative step on it. Low nibbles hold the block's first 16 values, high ones the rest.
 */
export function quantizeQ4_0(x: Float32Array): Uint8Array {
  if (x.length % 32) throw new RangeError("Q4_0 needs a multiple of 32 values");
  const out = new Uint8Array((x.length / 32) * 18);
  for (let b = 0, o = 0; b < x.length; b += 32, o += 18) {
    let max = 0;
    for (let j = 0; j < 32; j++) if (Math.abs(x[b + j]) > Math.abs(max)) max = x[b + j];
    const h = halfFromFloat(max / -8);
    out[o] = h & 0xff;
    out[o + 1] = h >>> 8;
    const d = floatFromHalf(h);
    const id = d ? 1 / d : 0;
    for (let j = 0; j < 16; j++) {
      const lo = Math.min(15, Math.trunc(x[b + j] * id + 8.5));
      const hi = Math.min(15, Math.trunc(x[b + 16 + j] * id + 8.5));
      out[o + 2 + j] = lo | (hi << 4);
    }
  }
  return out;
}

const TOKENIZER_KEY = /^tokenizer\./;

/** The tokenizer keys of a committed vocab file, to give a generated model a real vocabulary. */
async function tokenizerOf(vocabPath: string): Promise<Record<string, GgufTypedValue>> {
  const all = typedMetadata(await readGguf(vocabPath));
  return Object.fromEntries(Object.entries(all).filter(([k]) => TOKENIZER_KEY.test(k)));
}

interface BertShape {
  width: number;
  layers: number;
  ff: number;
  heads: number;
  /** The type of the matrices (embeddings, attention and FFN weights); norms and biases stay F32. */
  type: "F32" | "F16";
}

/** The tests' BERT: small enough to build in a moment. */
const TINY_BERT: BertShape = { width: 128, layers: 2, ff: 512, heads: 4, type: "F32" };
/** all-MiniLM-L6-v2's shape (Ollama's `all-minilm`), F16 as Ollama publishes it: the embedding benchmark's model. */
const MINILM_BERT: BertShape = { width: 384, layers: 6, ff: 1536, heads: 12, type: "F16" };

/** BERT (bge-style) of `shape`; mean pooling, or CLS pooling with a classifier head. */
async function bert(vocabPath: string, kind: "embed" | "rerank", shape: BertShape = TINY_BERT): Promise<{ metadata: Record<string, GgufTypedValue>; tensors: GgufWriteTensor[] }> {
  const rand = prng(kind === "embed" ? 0xbe27 : 0x7e7a);
  const { width: E, layers: L, ff: FF } = shape;
  const CTX = 512;
  const matrix = shape.type === "F16" ? f16 : f32;
  const tok = await tokenizerOf(vocabPath);
  const vocab = (tok["tokenizer.ggml.tokens"].value as string[]).length;
  const u32 = (value: number): GgufTypedValue => ({ type: "uint32", value });
  const metadata: Record<string, GgufTypedValue> = {
    "general.architecture": { type: "string", value: "bert" },
    "general.name": { type: "string", value: kind === "embed" ? "synthetic-bert" : "synthetic-bert-reranker" },
    "bert.context_length": u32(CTX),
    "bert.embedding_length": u32(E),
    "bert.block_count": u32(L),
    "bert.feed_forward_length": u32(FF),
    "bert.attention.head_count": u32(shape.heads),
    "bert.attention.layer_norm_epsilon": { type: "float32", value: 1e-12 },
    "bert.attention.causal": { type: "bool", value: false },
    // llama.cpp's enum llama_pooling_type: 1 = mean, 4 = rank (CLS token through the classifier head).
    "bert.pooling_type": u32(kind === "embed" ? 1 : 4),
    "general.file_type": u32(shape.type === "F16" ? 1 : 0),
    ...tok,
  };
  const norm = (name: string, n: number) => [f32(`${name}.weight`, [n], filled(n, 1)), f32(`${name}.bias`, [n], filled(n, 0))];
  const linear = (name: string, inp: number, out: number, std = 0.1) => [
    matrix(`${name}.weight`, [inp, out], normal(rand, inp * out, std)),
    f32(`${name}.bias`, [out], filled(out, 0)),
  ];
  const tensors: GgufWriteTensor[] = [
    matrix("token_embd.weight", [E, vocab], normal(rand, E * vocab, 0.02)),
    f32("token_types.weight", [E, 2], normal(rand, E * 2, 0.02)),
    f32("position_embd.weight", [E, CTX], normal(rand, E * CTX, 0.02)),
    ...norm("token_embd_norm", E),
  ];
  for (let i = 0; i < L; i++) {
    const b = `blk.${i}`;
    tensors.push(
      ...linear(`${b}.attn_q`, E, E),
      ...linear(`${b}.attn_k`, E, E),
      ...linear(`${b}.attn_v`, E, E),
      ...linear(`${b}.attn_output`, E, E),
      ...norm(`${b}.attn_output_norm`, E),
      ...linear(`${b}.ffn_up`, E, FF),
      ...linear(`${b}.ffn_down`, FF, E),
      ...norm(`${b}.layer_output_norm`, E),
    );
  }
  // A reranker's head: dense + tanh over the CLS state, then one score.
  if (kind === "rerank") tensors.push(...linear("cls", E, E), ...linear("cls.output", E, 1, 0.5));
  return { metadata, tensors };
}

/** A rank-8 LoRA on stories260K's q and v projections (64 wide, 4 KV heads of 8, 5 layers). */
function lora(): { metadata: Record<string, GgufTypedValue>; tensors: GgufWriteTensor[] } {
  const rand = prng(0x10ba);
  const R = 8, E = 64, KV = 32;
  const tensors: GgufWriteTensor[] = [];
  for (let i = 0; i < 5; i++) {
    for (const [m, out] of [["attn_q", E], ["attn_v", KV]] as const) {
      tensors.push(f32(`blk.${i}.${m}.weight.lora_a`, [E, R], normal(rand, E * R, 1)));
      tensors.push(f32(`blk.${i}.${m}.weight.lora_b`, [R, out], normal(rand, R * out, 1)));
    }
  }
  return {
    metadata: {
      "general.architecture": { type: "string", value: "llama" },
      "general.type": { type: "string", value: "adapter" },
      "adapter.type": { type: "string", value: "lora" },
      "adapter.lora.alpha": { type: "float32", value: 8 },
    },
    tensors,
  };
}

/** Llama, 512 wide, 8 layers, 8 heads (4 KV), ff 1408, Q4_0 matrices: 56.37M parameters for throughput benchmarks. */
async function llama58M(vocabPath: string): Promise<{ metadata: Record<string, GgufTypedValue>; tensors: GgufWriteTensor[] }> {
  const rand = prng(0x58);
  const E = 512, L = 8, FF = 1408, HEADS = 8, KV_HEADS = 4;
  const KV = (E / HEADS) * KV_HEADS;
  const tok = await tokenizerOf(vocabPath);
  const vocab = (tok["tokenizer.ggml.tokens"].value as string[]).length;
  const u32 = (value: number): GgufTypedValue => ({ type: "uint32", value });
  const q4 = (name: string, inp: number, out: number): GgufWriteTensor => ({ name, dims: [inp, out], type: "Q4_0", data: quantizeQ4_0(normal(rand, inp * out, 0.02)) });
  const tensors: GgufWriteTensor[] = [q4("token_embd.weight", E, vocab), f32("output_norm.weight", [E], filled(E, 1)), q4("output.weight", E, vocab)];
  for (let i = 0; i < L; i++) {
    const b = `blk.${i}`;
    tensors.push(
      f32(`${b}.attn_norm.weight`, [E], filled(E, 1)),
      q4(`${b}.attn_q.weight`, E, E),
      q4(`${b}.attn_k.weight`, E, KV),
      q4(`${b}.attn_v.weight`, E, KV),
      q4(`${b}.attn_output.weight`, E, E),
      f32(`${b}.ffn_norm.weight`, [E], filled(E, 1)),
      q4(`${b}.ffn_gate.weight`, E, FF),
      q4(`${b}.ffn_up.weight`, E, FF),
      q4(`${b}.ffn_down.weight`, FF, E),
    );
  }
  const metadata: Record<string, GgufTypedValue> = {
    "general.architecture": { type: "string", value: "llama" },
    "general.name": { type: "string", value: "synthetic-llama-8x512" },
    "llama.context_length": u32(4096),
    "llama.embedding_length": u32(E),
    "llama.block_count": u32(L),
    "llama.feed_forward_length": u32(FF),
    "llama.attention.head_count": u32(HEADS),
    "llama.attention.head_count_kv": u32(KV_HEADS),
    "llama.attention.layer_norm_rms_epsilon": { type: "float32", value: 1e-5 },
    "llama.rope.dimension_count": u32(E / HEADS),
    "llama.rope.freq_base": { type: "float32", value: 10000 },
    "general.file_type": u32(2), // MOSTLY_Q4_0
    ...tok,
  };
  return { metadata, tensors };
}

/** The generated models by their name under test/data/models/, each with the vocab file it takes its tokenizer from. */
export const GENERATED: Record<string, (vocab: (name: string) => string) => Promise<{ metadata: Record<string, GgufTypedValue>; tensors: GgufWriteTensor[] }>> = {
  "synthetic/bert-embed-synthetic.gguf": (v) => bert(v("vocab/ggml-vocab-bert-bge.gguf"), "embed"),
  "synthetic/bert-rerank-synthetic.gguf": (v) => bert(v("vocab/ggml-vocab-bert-bge.gguf"), "rerank"),
  "synthetic/stories260K-lora-synthetic.gguf": async () => lora(),
  "bench/synth-llama-58M-q4_0.gguf": (v) => llama58M(v("vocab/ggml-vocab-llama-spm.gguf")),
  "bench/synth-bert-minilm-f16.gguf": (v) => bert(v("vocab/ggml-vocab-bert-bge.gguf"), "embed", MINILM_BERT),
};

/** Writes one generated model to `out`. */
export async function generateModel(name: string, out: string, vocab: (name: string) => string): Promise<void> {
  const make = GENERATED[name];
  if (!make) throw new Error(`no generator for test model ${name}`);
  await writeGguf(out, await make(vocab));
}
