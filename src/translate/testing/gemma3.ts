// gemma3 as Ollama publishes it: the text model (nested rope keys, no RMS epsilon, an extra image
// token) and tinygemma3's real vision tower and projector inside, under the names Ollama's gemma3
// converter wrote.

import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { type GgufFile, type GgufWriteTensor, halfFromFloat, readGguf, typedMetadata, writeGguf } from "../../gguf/index.js";
import { model, TEST_CACHE } from "../../testing/fixtures.js";
import { syntheticGemma3 } from "../../testing/synthetic-gemma3.js";
import { spmVocab } from "./vocab.js";
import { type Md, Weights, f32, str, u32 } from "./weights.js";

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
      for (let i = 0; i < t.elements; i++) h.writeUInt16LE(halfFromFloat(data.readFloatLE(i * 4)), i * 2);
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

/**
 * A monolithic gemma3 vision model as Ollama publishes it: the synthetic gemma3 text model (whose
 * embedding length is tinygemma3's projection, and whose weights are large enough that the image
 * visibly steers the answer) with tinygemma3's vision tower inside, in Ollama's naming. Deterministic,
 * written once into the test cache (bump the version in the name when the recipe changes).
 */
export async function publishedGemma3Vision(): Promise<string> {
  const dir = join(TEST_CACHE, "generated");
  const path = join(dir, "gemma3-published-vision-v2.gguf");
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
