// Synthetic files in the layouts Ollama publishes (random weights, tiny shapes), written with herd's
// GGUF writer from the facts in Ollama's compat layer and llama.cpp's expected tensor lists
// (src/models/<arch>.cpp load_arch_tensors). For the translation tests and the benchmark.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { type GgufFile, type GgufTypedValue, type GgufWriteTensor, readGguf, typedMetadata, writeGguf } from "../gguf/index.js";
import { createEngineRunner } from "../runner/index.js";
import { collect } from "../runner/testing/contract.js";
import { model, TEST_CACHE } from "../testing/fixtures.js";
import { seededRandom } from "../testing/random.js";
import { syntheticGemma3 } from "../testing/synthetic-gemma3.js";

/** The tests' deterministic PRNG (mulberry32), so generated files are identical between runs. */
export const rng = seededRandom;

function f32ToF16(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) return sign;
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | (mant >>> 13);
}

export class Weights {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  /** Random values in ±scale, as F32 or F16. */
  tensor(name: string, dims: number[], type: "F32" | "F16" = "F32", scale = 0.05): GgufWriteTensor {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = Buffer.allocUnsafe(n * (type === "F32" ? 4 : 2));
    for (let i = 0; i < n; i++) {
      const v = (this.next() * 2 - 1) * scale;
      if (type === "F32") data.writeFloatLE(v, i * 4);
      else data.writeUInt16LE(f32ToF16(v), i * 2);
    }
    return { name, dims, type, data };
  }
  /** A norm weight: ones plus noise. */
  norm(name: string, n: number): GgufWriteTensor {
    const data = Buffer.allocUnsafe(n * 4);
    for (let i = 0; i < n; i++) data.writeFloatLE(1 + (this.next() - 0.5) * 0.02, i * 4);
    return { name, dims: [n], type: "F32", data };
  }
}

type Md = Record<string, GgufTypedValue>;
const u32 = (value: number): GgufTypedValue => ({ type: "uint32", value });
const f32 = (value: number): GgufTypedValue => ({ type: "float32", value });
const str = (value: string): GgufTypedValue => ({ type: "string", value });

/** stories260K's 512-token SentencePiece vocabulary, with `extra` tokens appended (e.g. multimodal ones). */
export async function spmVocab(extra: string[] = []): Promise<Md> {
  const g = await readGguf(model("stories260K.gguf"));
  const md = typedMetadata(g);
  const out: Md = {};
  for (const [k, v] of Object.entries(md)) if (k.startsWith("tokenizer.")) out[k] = v;
  out["tokenizer.ggml.tokens"] = { type: "array<string>", value: [...(g.metadata["tokenizer.ggml.tokens"] as string[]), ...extra] };
  out["tokenizer.ggml.scores"] = { type: "array<float32>", value: [...(g.metadata["tokenizer.ggml.scores"] as number[]), ...extra.map(() => 0)] };
  out["tokenizer.ggml.token_type"] = { type: "array<int32>", value: [...(g.metadata["tokenizer.ggml.token_type"] as number[]), ...extra.map(() => 4)] };
  return out;
}

/** A byte-level BPE vocabulary (GPT-2's byte-to-unicode alphabet) plus an end-of-text token. */
export function bpeVocab(): Md {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const set = new Set(printable);
  const tokens: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) tokens[b] = String.fromCodePoint(set.has(b) ? b : 256 + extra++);
  tokens.push("<|endoftext|>");
  return {
    "tokenizer.ggml.model": str("gpt2"),
    "tokenizer.ggml.pre": str("default"),
    "tokenizer.ggml.tokens": { type: "array<string>", value: tokens },
    "tokenizer.ggml.token_type": { type: "array<int32>", value: tokens.map((_, i) => (i === 256 ? 3 : 1)) },
    "tokenizer.ggml.merges": { type: "array<string>", value: ["Ġ t", "h e"] },
    "tokenizer.ggml.bos_token_id": u32(256),
    "tokenizer.ggml.eos_token_id": u32(256),
  };
}

/** The real tinygemma3 projector (llama.cpp layout), whose tensors a published gemma3 file embeds. */
export async function tinyGemma3Projector(): Promise<{ gguf: GgufFile; bytes: Buffer }> {
  const path = model("mmproj-tinygemma3.gguf");
  return { gguf: await readGguf(path), bytes: readFileSync(path) };
}

/** llama.cpp projector tensor names → the names Ollama's gemma3 converter wrote (the inverse of its clip renames). */
export function publishedGemma3VisionName(name: string): string {
  return name
    .replace("v.patch_embd", "v.patch_embedding")
    .replace("v.position_embd", "v.position_embedding")
    .replace("v.post_ln", "v.post_layernorm")
    .replace(".ln1", ".layer_norm1")
    .replace(".ln2", ".layer_norm2")
    .replace(".attn_out", ".attn_output")
    .replace(".ffn_down", ".mlp.fc1")
    .replace(".ffn_up", ".mlp.fc2")
    .replace("mm.input_projection", "mm.mm_input_projection")
    .replace("mm.soft_emb_norm", "mm.mm_soft_emb_norm");
}

export interface Gemma3Shape {
  embd: number;
  layers: number;
  ff: number;
  heads: number;
  headDim: number;
  /** Also embed tinygemma3's vision tower and projector (then embd must be 128). */
  vision: boolean;
  type?: "F32" | "F16";
  /** embeddinggemma's layout: the sentence-transformers dense head, `norm.weight`, mean pooling. */
  embedding?: boolean;
  /** Leave the text weights unwritten (the benchmark fills the file itself, without holding it in memory). */
  noData?: boolean;
}

/** tinygemma3's vision tower and projector as Ollama's gemma3 converter wrote them into the model file. */
export async function publishedGemma3VisionParts(): Promise<{ metadata: Md; tensors: GgufWriteTensor[] }> {
  const proj = await tinyGemma3Projector();
  const pm = proj.gguf.metadata;
  const metadata: Md = {
    "gemma3.vision.block_count": u32(pm["clip.vision.block_count"] as number),
    "gemma3.vision.embedding_length": u32(pm["clip.vision.embedding_length"] as number),
    "gemma3.vision.feed_forward_length": u32(pm["clip.vision.feed_forward_length"] as number),
    "gemma3.vision.image_size": u32(pm["clip.vision.image_size"] as number),
    "gemma3.vision.patch_size": u32(pm["clip.vision.patch_size"] as number),
    "gemma3.vision.attention.head_count": u32(pm["clip.vision.attention.head_count"] as number),
    "gemma3.vision.attention.layer_norm_epsilon": f32(pm["clip.vision.attention.layer_norm_epsilon"] as number),
  };
  const tensors: GgufWriteTensor[] = [];
  for (const t of proj.gguf.tensors) {
    const at = proj.gguf.dataOffset + t.offset;
    let data: Buffer = proj.bytes.subarray(at, at + t.size!);
    let ttype: number | string = t.type;
    // Ollama's converter kept these in F16; llama.cpp's stores them in F32.
    if (t.name === "v.patch_embd.weight" || t.name === "v.position_embd.weight") {
      const h = Buffer.allocUnsafe(t.elements * 2);
      for (let i = 0; i < t.elements; i++) h.writeUInt16LE(f32ToF16(data.readFloatLE(i * 4)), i * 2);
      data = h;
      ttype = "F16";
    }
    tensors.push({ name: publishedGemma3VisionName(t.name), dims: t.dims, type: ttype, data });
  }
  return { metadata, tensors };
}

/** A gemma3 file as Ollama publishes it (nested rope keys, no RMS epsilon, an extra image token, vision inside). */
export async function writePublishedGemma3(path: string, s: Gemma3Shape, seed = 1): Promise<void> {
  const rand = new Weights(seed);
  const w = s.noData
    ? {
        tensor: (name: string, dims: number[], type: "F32" | "F16" = "F32"): GgufWriteTensor => ({ name, dims, type }),
        norm: (name: string, n: number): GgufWriteTensor => ({ name, dims: [n], type: "F32" }),
      }
    : rand;
  const type = s.type ?? "F32";
  const vocab = await spmVocab(s.embedding ? [] : ["<image_soft_token>"]);
  const nVocab = 512;
  const md: Md = {
    "general.architecture": str("gemma3"),
    "general.name": str("synthetic gemma3"),
    "gemma3.context_length": u32(256),
    "gemma3.embedding_length": u32(s.embd),
    "gemma3.block_count": u32(s.layers),
    "gemma3.feed_forward_length": u32(s.ff),
    "gemma3.attention.head_count": u32(s.heads),
    "gemma3.attention.head_count_kv": u32(1),
    "gemma3.attention.key_length": u32(s.headDim),
    "gemma3.attention.value_length": u32(s.headDim),
    "gemma3.attention.sliding_window": u32(16),
    "gemma3.rope.global.freq_base": f32(1000000),
    "gemma3.rope.local.freq_base": f32(10000),
    "gemma3.mm.tokens_per_image": u32(256),
    ...vocab,
    "tokenizer.ggml.add_padding_token": { type: "bool", value: false },
  };
  const tensors: GgufWriteTensor[] = [
    w.tensor("token_embd.weight", [s.embd, nVocab], type),
    w.norm(s.embedding ? "norm.weight" : "output_norm.weight", s.embd),
  ];
  if (s.embedding) {
    // embeddinggemma was converted later than the chat models: it has its RMS epsilon, and mean pooling.
    md["gemma3.attention.layer_norm_rms_epsilon"] = f32(1e-6);
    md["gemma3.pooling_type"] = u32(1);
    tensors.push(w.tensor("dense.0.weight", [s.embd, 4 * s.embd], type), w.tensor("dense.1.weight", [4 * s.embd, s.embd], type));
  }
  for (let i = 0; i < s.layers; i++) {
    const b = `blk.${i}.`;
    tensors.push(
      w.norm(`${b}attn_norm.weight`, s.embd),
      w.tensor(`${b}attn_q.weight`, [s.embd, s.heads * s.headDim], type),
      w.tensor(`${b}attn_k.weight`, [s.embd, s.headDim], type),
      w.tensor(`${b}attn_v.weight`, [s.embd, s.headDim], type),
      w.tensor(`${b}attn_output.weight`, [s.heads * s.headDim, s.embd], type),
      w.norm(`${b}post_attention_norm.weight`, s.embd),
      w.norm(`${b}attn_k_norm.weight`, s.headDim),
      w.norm(`${b}attn_q_norm.weight`, s.headDim),
      w.norm(`${b}ffn_norm.weight`, s.embd),
      w.tensor(`${b}ffn_gate.weight`, [s.embd, s.ff], type),
      w.tensor(`${b}ffn_up.weight`, [s.embd, s.ff], type),
      w.tensor(`${b}ffn_down.weight`, [s.ff, s.embd], type),
      w.norm(`${b}post_ffw_norm.weight`, s.embd),
    );
  }
  if (s.vision) {
    const v = await publishedGemma3VisionParts();
    Object.assign(md, v.metadata);
    tensors.push(...v.tensors);
  }
  await writeGguf(path, { metadata: md, tensors });
}

export interface GptossShape {
  embd: number;
  layers: number;
  heads: number;
  headDim: number;
  experts: number;
  expertFf: number;
}

/** A gpt-oss file as Ollama publishes it: arch `gptoss`, `attn_out`, suffixless `attn_sinks`, `ffn_norm`. */
export async function writePublishedGptoss(path: string, s: GptossShape, seed = 2): Promise<void> {
  const w = new Weights(seed);
  const vocab = bpeVocab();
  const nVocab = (vocab["tokenizer.ggml.tokens"]!.value as string[]).length;
  const md: Md = {
    "general.architecture": str("gptoss"),
    "gptoss.context_length": u32(256),
    "gptoss.embedding_length": u32(s.embd),
    "gptoss.block_count": u32(s.layers),
    "gptoss.feed_forward_length": u32(s.expertFf),
    "gptoss.attention.head_count": u32(s.heads),
    "gptoss.attention.head_count_kv": u32(1),
    "gptoss.attention.key_length": u32(s.headDim),
    "gptoss.attention.value_length": u32(s.headDim),
    "gptoss.rope.dimension_count": u32(s.headDim),
    "gptoss.rope.freq_base": f32(150000),
    "gptoss.attention.layer_norm_rms_epsilon": f32(1e-5),
    "gptoss.attention.sliding_window": u32(16),
    "gptoss.expert_count": u32(s.experts),
    "gptoss.expert_used_count": u32(2),
    ...vocab,
  };
  const q = s.heads * s.headDim;
  const tensors: GgufWriteTensor[] = [
    w.tensor("token_embd.weight", [s.embd, nVocab]),
    w.norm("output_norm.weight", s.embd),
    w.tensor("output.weight", [s.embd, nVocab]),
  ];
  for (let i = 0; i < s.layers; i++) {
    const b = `blk.${i}.`;
    tensors.push(
      w.norm(`${b}attn_norm.weight`, s.embd),
      w.norm(`${b}ffn_norm.weight`, s.embd),
      w.tensor(`${b}attn_q.weight`, [s.embd, q]),
      w.tensor(`${b}attn_q.bias`, [q]),
      w.tensor(`${b}attn_k.weight`, [s.embd, s.headDim]),
      w.tensor(`${b}attn_k.bias`, [s.headDim]),
      w.tensor(`${b}attn_v.weight`, [s.embd, s.headDim]),
      w.tensor(`${b}attn_v.bias`, [s.headDim]),
      w.tensor(`${b}attn_out.weight`, [q, s.embd]),
      w.tensor(`${b}attn_out.bias`, [s.embd]),
      w.tensor(`${b}attn_sinks`, [s.heads]),
      w.tensor(`${b}ffn_gate_inp.weight`, [s.embd, s.experts]),
      w.tensor(`${b}ffn_gate_inp.bias`, [s.experts]),
      w.tensor(`${b}ffn_gate_exps.weight`, [s.embd, s.expertFf, s.experts]),
      w.tensor(`${b}ffn_gate_exps.bias`, [s.expertFf, s.experts]),
      w.tensor(`${b}ffn_up_exps.weight`, [s.embd, s.expertFf, s.experts]),
      w.tensor(`${b}ffn_up_exps.bias`, [s.expertFf, s.experts]),
      w.tensor(`${b}ffn_down_exps.weight`, [s.expertFf, s.embd, s.experts]),
      w.tensor(`${b}ffn_down_exps.bias`, [s.embd, s.experts]),
    );
  }
  await writeGguf(path, { metadata: md, tensors });
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

/** The size of the default vocabulary (stories260K's), the rows of token_embd/output. */
export const SPM_VOCAB = 512;

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

/**
 * A decoder in llama.cpp's common layout (token_embd, per-layer attention + gated FFN, output_norm), as
 * qwen2vl, qwen3vl and mistral3 load it (src/models/<arch>.cpp), with stories260K's vocabulary.
 */
export async function writeLlamaLike(path: string, s: LlamaLikeShape, seed = 3): Promise<void> {
  const q = s.heads * s.headDim;
  const kv = s.kvHeads * s.headDim;
  await writeSynthetic(
    path,
    {
      arch: s.arch,
      keys: { ...decoderKeys(s.arch, s), ...s.keys },
      tensors: (w) => {
        const tensors: GgufWriteTensor[] = [...head(w, s.embd, false), w.norm("output_norm.weight", s.embd)];
        for (let i = 0; i < s.layers; i++) {
          const b = `blk.${i}.`;
          tensors.push(...attention(w, b, s.embd, q, kv), w.norm(`${b}ffn_norm.weight`, s.embd));
          const m = s.moe;
          if (m && (i + 1) % m.every === 0) tensors.push(...experts(w, b, s.embd, m.ff, m.experts, m.shared === false ? 0 : m.ff));
          else tensors.push(...ffn(w, b, s.embd, s.ff));
          if (s.qkvBias) tensors.push(w.tensor(`${b}attn_q.bias`, [q]), w.tensor(`${b}attn_k.bias`, [kv]), w.tensor(`${b}attn_v.bias`, [kv]));
          if (s.qkNorm) tensors.push(w.norm(`${b}attn_q_norm.weight`, s.headDim), w.norm(`${b}attn_k_norm.weight`, s.headDim));
        }
        tensors.push(...(s.tensors?.(w) ?? []));
        return tensors;
      },
    },
    seed,
  );
}

export const meta = { u32, f32, str };

/**
 * A monolithic gemma3 vision model as Ollama publishes it: the synthetic gemma3 text model (whose
 * embedding length is tinygemma3's projection, and whose weights are large enough that the image
 * visibly steers the answer) with tinygemma3's vision tower inside, in Ollama's naming. Deterministic,
 * written once into the test cache (bump the version in the name when the recipe changes).
 */
export async function publishedGemma3Vision(): Promise<string> {
  const dir = join(TEST_CACHE, "generated");
  const path = join(dir, "gemma3-published-vision-v1.gguf");
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const text = await readGguf(await syntheticGemma3());
  const bytes = readFileSync(await syntheticGemma3());
  const v = await publishedGemma3VisionParts();
  const metadata: Md = { ...typedMetadata(text), "gemma3.mm.tokens_per_image": u32(256), ...v.metadata };
  const tensors: GgufWriteTensor[] = text.tensors.map((t) => {
    const at = text.dataOffset + t.offset;
    return { name: t.name, dims: t.dims, type: t.type, data: bytes.subarray(at, at + t.size!) };
  });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeGguf(tmp, { metadata, tensors: [...tensors, ...v.tensors] });
  renameSync(tmp, path);
  return path;
}

/** The bytes of tensor `name` in the GGUF file at `path`. */
export function bytesOf(g: GgufFile, path: string, name: string): Buffer {
  const t = g.tensors.find((x) => x.name === name);
  if (!t) throw new Error(`no tensor ${name}`);
  return readFileSync(path).subarray(g.dataOffset + t.offset, g.dataOffset + t.offset + t.size!);
}

/** The tensor names of a GGUF file. */
export function names(g: GgufFile): Set<string> {
  return new Set(g.tensors.map((t) => t.name));
}

/** Loads a model through herd's engine runner (CPU) and generates a few tokens; returns how many. */
export async function generates(modelPath: string, numPredict = 3): Promise<number> {
  const runner = await createEngineRunner({ modelPath, numCtx: 64, numGpu: 0 });
  try {
    const { chunks, done } = await collect(runner, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict } });
    assert.equal(done.type, "done");
    assert.ok(done.timings.promptTokens > 0);
    return chunks.reduce((n, c) => n + (c.type === "token" ? c.tokens.length : 0), 0);
  } finally {
    await runner.close();
  }
}

/** How a published vision tower names its block tensors (each converter chose its own). */
interface BlockNames {
  ln1: string;
  ln2: string;
  out: string;
  up: string;
  down: string;
  /** A gated (SwiGLU) FFN's gate. */
  gate?: string;
}

/** Vision transformer blocks `v.blk.<i>.…`: Q/K/V/output projections, two norms, the FFN. */
export function visionBlocks(
  w: Weights,
  s: { blocks: number; embd: number; ff: number; names: BlockNames; bias: boolean; rms: boolean; qkType?: "F32" | "F16" },
): GgufWriteTensor[] {
  const out: GgufWriteTensor[] = [];
  for (let i = 0; i < s.blocks; i++) {
    const b = `v.blk.${i}.`;
    const lin = (name: string, from: number, to: number, type: "F32" | "F16" = "F32") => [
      w.tensor(`${b}${name}.weight`, [from, to], type),
      ...(s.bias ? [w.tensor(`${b}${name}.bias`, [to])] : []),
    ];
    const norm = (name: string) => [w.norm(`${b}${name}.weight`, s.embd), ...(s.rms ? [] : [w.tensor(`${b}${name}.bias`, [s.embd])])];
    out.push(
      ...norm(s.names.ln1),
      ...lin("attn_q", s.embd, s.embd, s.qkType),
      ...lin("attn_k", s.embd, s.embd, s.qkType),
      ...lin("attn_v", s.embd, s.embd),
      ...lin(s.names.out, s.embd, s.embd),
      ...norm(s.names.ln2),
      ...lin(s.names.up, s.embd, s.ff),
      ...(s.names.gate ? lin(s.names.gate, s.embd, s.ff) : []),
      ...lin(s.names.down, s.ff, s.embd),
    );
  }
  return out;
}

/** The tiny vision towers below: width 32, two heads of 16 (2D/M-RoPE need head dims divisible by 4). */
const V = { embd: 32, heads: 2, ff: 64 };

/**
 * Qwen2.5-VL as Ollama publishes it: a qwen25vl decoder (M-RoPE sections as 3 items) with the vision
 * tower inside — two Conv2D patch slices, RMS-normed SwiGLU blocks (block 1 full attention, block 0
 * windowed), the merger's ln_q and MLP under `v.merger.`.
 */
export async function writePublishedQwen25vl(path: string): Promise<void> {
  const text = 64;
  const merged = V.embd * 4;
  await writeLlamaLike(path, {
    arch: "qwen25vl",
    embd: text,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    headDim: 16,
    ff: 128,
    qkvBias: true,
    keys: {
      "qwen25vl.rope.mrope_section": { type: "array<int32>", value: [2, 3, 3] },
      "qwen25vl.vision.block_count": u32(2),
      "qwen25vl.vision.embedding_length": u32(V.embd),
      "qwen25vl.vision.attention.head_count": u32(V.heads),
      "qwen25vl.vision.attention.layer_norm_epsilon": f32(1e-6),
      "qwen25vl.vision.patch_size": u32(14),
      "qwen25vl.vision.spatial_merge_size": u32(2),
      "qwen25vl.vision.window_size": u32(112),
      "qwen25vl.vision.fullatt_block_indexes": { type: "array<int32>", value: [1] },
    },
    tensors: (w) => [
      w.tensor("v.patch_embd_0.weight", [14, 14, 3, V.embd], "F16"),
      w.tensor("v.patch_embd_1.weight", [14, 14, 3, V.embd], "F16"),
      ...visionBlocks(w, { blocks: 2, ...V, bias: true, rms: true, names: { ln1: "ln1", ln2: "ln2", out: "attn_out", up: "ffn_up", gate: "ffn_gate", down: "ffn_down" } }),
      w.norm("v.merger.ln_q.weight", V.embd),
      w.tensor("v.merger.mlp.0.weight", [merged, merged]),
      w.tensor("v.merger.mlp.0.bias", [merged]),
      w.tensor("v.merger.mlp.2.weight", [merged, text]),
      w.tensor("v.merger.mlp.2.bias", [text]),
    ],
  });
}

/**
 * Qwen3-VL as Ollama publishes it: the decoder (head dim 128, no M-RoPE sections: the handler injects
 * the family's) with the tower inside — one Conv3D patch embedding packed [P, P, 2, C_out·C_in] in F16,
 * learned positions in F16, LayerNorm GELU blocks with separate Q/K/V (F16 Q/K), the merger, and one
 * deepstack adapter after block 1 (so llama.cpp's text input is twice the embedding width).
 */
export const QWEN3VL_PATCH = 16;

export async function writePublishedQwen3vl(path: string, arch: "qwen3vl" | "qwen3vlmoe" = "qwen3vl"): Promise<void> {
  const text = 128;
  const merged = V.embd * 4;
  const a = arch;
  await writeLlamaLike(path, {
    arch,
    embd: text,
    layers: 2,
    heads: 1,
    kvHeads: 1,
    headDim: 128,
    ff: 128,
    qkNorm: true,
    // Qwen3-VL-MoE: every layer routed, no shared expert (llama.cpp's qwen3vlmoe).
    ...(arch === "qwen3vlmoe" ? { moe: { every: 1, experts: 4, ff: 32, shared: false } } : {}),
    keys: {
      ...(arch === "qwen3vlmoe"
        ? { [`${a}.expert_count`]: u32(4), [`${a}.expert_used_count`]: u32(2), [`${a}.expert_feed_forward_length`]: u32(32) }
        : {}),
      [`${a}.vision.block_count`]: u32(2),
      [`${a}.vision.embedding_length`]: u32(V.embd),
      [`${a}.vision.attention.head_count`]: u32(V.heads),
      [`${a}.vision.attention.layer_norm_epsilon`]: f32(1e-6),
      [`${a}.vision.patch_size`]: u32(QWEN3VL_PATCH),
      [`${a}.vision.spatial_merge_size`]: u32(2),
      [`${a}.vision.num_channels`]: u32(3),
      [`${a}.vision.deepstack_visual_indexes`]: { type: "array<int32>", value: [1] },
    },
    tensors: (w) => [
      w.tensor("v.patch_embed.weight", [QWEN3VL_PATCH, QWEN3VL_PATCH, 2, V.embd * 3], "F16"),
      w.tensor("v.patch_embed.bias", [V.embd]),
      w.tensor("v.pos_embed.weight", [V.embd, 16], "F16"),
      ...visionBlocks(w, {
        blocks: 2,
        ...V,
        bias: true,
        rms: false,
        qkType: "F16",
        names: { ln1: "norm1", ln2: "norm2", out: "attn_out", up: "mlp.linear_fc1", down: "mlp.linear_fc2" },
      }),
      w.norm("v.merger.norm.weight", V.embd),
      w.tensor("v.merger.norm.bias", [V.embd]),
      w.tensor("v.merger.linear_fc1.weight", [merged, merged]),
      w.tensor("v.merger.linear_fc1.bias", [merged]),
      w.tensor("v.merger.linear_fc2.weight", [merged, text]),
      w.tensor("v.merger.linear_fc2.bias", [text]),
      w.norm("v.deepstack_merger.0.norm.weight", merged),
      w.tensor("v.deepstack_merger.0.norm.bias", [merged]),
      w.tensor("v.deepstack_merger.0.linear_fc1.weight", [merged, merged]),
      w.tensor("v.deepstack_merger.0.linear_fc1.bias", [merged]),
      w.tensor("v.deepstack_merger.0.linear_fc2.weight", [merged, text]),
      w.tensor("v.deepstack_merger.0.linear_fc2.bias", [text]),
    ],
  });
}

/**
 * Mistral Small 3.x as Ollama publishes it: the mistral3 decoder with Ollama's YaRN key names and the
 * Pixtral tower inside — `patch_conv` in F16, `encoder_norm`, RMS-normed SwiGLU blocks whose Q/K rows are
 * in Hugging Face order (F16), the 2×2 patch merger and the two-layer projector under `mm.`.
 */
export async function writePublishedMistral3(path: string): Promise<void> {
  const text = 64;
  await writeLlamaLike(path, {
    arch: "mistral3",
    embd: text,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    headDim: 16,
    ff: 128,
    keys: {
      "mistral3.rope.scaling.beta_fast": f32(32),
      "mistral3.rope.scaling.beta_slow": f32(1),
      "mistral3.spatial_merge_size": u32(2),
      "mistral3.vision.block_count": u32(1),
      "mistral3.vision.embedding_length": u32(V.embd),
      "mistral3.vision.feed_forward_length": u32(V.ff),
      "mistral3.vision.attention.head_count": u32(V.heads),
      "mistral3.vision.patch_size": u32(8),
      "mistral3.vision.image_size": u32(64),
      "mistral3.vision.num_channels": u32(3),
      "mistral3.vision.rope.freq_base": f32(10000),
    },
    tensors: (w) => [
      w.tensor("v.patch_conv.weight", [8, 8, 3, V.embd], "F16"),
      w.norm("v.encoder_norm.weight", V.embd),
      ...visionBlocks(w, {
        blocks: 1,
        ...V,
        bias: false,
        rms: true,
        qkType: "F16",
        names: { ln1: "attn_norm", ln2: "ffn_norm", out: "attn_output", up: "ffn_up", gate: "ffn_gate", down: "ffn_down" },
      }),
      w.norm("mm.norm.weight", V.embd),
      w.tensor("mm.patch_merger.merging_layer.weight", [V.embd * 4, V.embd]),
      w.tensor("mm.linear_1.weight", [V.embd, text]),
      w.tensor("mm.linear_2.weight", [text, text]),
    ],
  });
}

/**
 * Llama 4 as Ollama publishes it: the llama4 decoder (every second layer mixture-of-experts with a shared
 * expert, four layers so one is full attention) with the tower inside — the unfold-convolution patch
 * embedding as a matrix, class token, learned positions, LayerNorm GELU blocks, the pixel-shuffle
 * adapter MLP under `v.vision_adapter.` and the projector as `mm.linear_1`.
 */
export async function writePublishedLlama4(path: string): Promise<void> {
  const text = 64;
  const patch = 14;
  const grid = 2;
  await writeLlamaLike(path, {
    arch: "llama4",
    embd: text,
    layers: 4,
    heads: 4,
    kvHeads: 2,
    headDim: 16,
    ff: 128,
    moe: { every: 2, experts: 2, ff: 32 },
    keys: {
      "llama4.expert_count": u32(2),
      "llama4.expert_used_count": u32(1),
      "llama4.expert_feed_forward_length": u32(32),
      "llama4.interleave_moe_layer_step": u32(2),
      "llama4.vision.block_count": u32(1),
      "llama4.vision.embedding_length": u32(V.embd),
      "llama4.vision.feed_forward_length": u32(V.ff),
      "llama4.vision.attention.head_count": u32(V.heads),
      "llama4.vision.image_size": u32(patch * grid),
      "llama4.vision.patch_size": u32(patch),
      "llama4.vision.layer_norm_epsilon": f32(1e-5),
      "llama4.vision.pixel_shuffle_ratio": f32(0.5),
    },
    tensors: (w) => [
      w.tensor("v.patch_embedding.weight", [patch * patch * 3, V.embd], "F16"),
      w.tensor("v.positional_embedding_vlm", [V.embd, grid * grid + 1]),
      w.tensor("v.class_embedding", [V.embd]),
      w.norm("v.layernorm_pre.weight", V.embd),
      w.tensor("v.layernorm_pre.bias", [V.embd]),
      w.norm("v.layernorm_post.weight", V.embd),
      w.tensor("v.layernorm_post.bias", [V.embd]),
      ...visionBlocks(w, { blocks: 1, ...V, bias: true, rms: false, names: { ln1: "attn_norm", ln2: "ffn_norm", out: "attn_output", up: "mlp.fc1", down: "mlp.fc2" } }),
      w.tensor("v.vision_adapter.mlp.fc1.weight", [V.embd * 4, text]),
      w.tensor("v.vision_adapter.mlp.fc2.weight", [text, text]),
      w.tensor("mm.linear_1.weight", [text, text]),
    ],
  });
}
