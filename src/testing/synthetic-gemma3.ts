// A tiny gemma3 text model made at test time for the vision tests: its embedding length (128) matches
// test/data/models/mmproj-tinygemma3.gguf's projection, so mtmd accepts the pair. Random but deterministic
// weights (a seeded generator), one block, the 32000-token Llama-2 vocabulary of llama-2-tiny-random.gguf.
// Written once into .cache/ (keyed by this recipe's version) and reused.

import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { readGguf, typedMetadata, writeGguf, type GgufTypedValue, type GgufWriteTensor } from "../gguf/index.js";
import { model, TEST_CACHE } from "./fixtures.js";
import { seededRandom } from "./random.js";

const RECIPE = "v1";
export const GEMMA3_EMBD = 128;


/** The model's path, writing it on first use. */
export async function syntheticGemma3(): Promise<string> {
  const dir = join(TEST_CACHE, "generated");
  const path = join(dir, `gemma3-tiny-${RECIPE}.gguf`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const vocab = await readGguf(model("llama-2-tiny-random.gguf"));
  const meta = typedMetadata(vocab);
  const tok: Record<string, GgufTypedValue> = {};
  for (const [k, v] of Object.entries(meta)) if (k.startsWith("tokenizer.ggml.")) tok[k] = v;
  const nVocab = (vocab.metadata["tokenizer.ggml.tokens"] as unknown[]).length;
  const nEmbd = GEMMA3_EMBD;
  const nHead = 2;
  const headDim = 64;
  const nFf = 256;
  const u32 = (value: number): GgufTypedValue => ({ type: "uint32", value });
  const f32 = (value: number): GgufTypedValue => ({ type: "float32", value });
  const metadata: Record<string, GgufTypedValue> = {
    "general.architecture": { type: "string", value: "gemma3" },
    "general.name": { type: "string", value: "herd synthetic gemma3" },
    "general.file_type": u32(0),
    "gemma3.context_length": u32(4096),
    "gemma3.embedding_length": u32(nEmbd),
    "gemma3.block_count": u32(1),
    "gemma3.feed_forward_length": u32(nFf),
    "gemma3.attention.head_count": u32(nHead),
    "gemma3.attention.head_count_kv": u32(1),
    "gemma3.attention.key_length": u32(headDim),
    "gemma3.attention.value_length": u32(headDim),
    "gemma3.attention.layer_norm_rms_epsilon": f32(1e-6),
    "gemma3.rope.freq_base": f32(10000),
    ...tok,
  };
  const rand = seededRandom(0x6e3);
  const tensor = (name: string, dims: number[], scale: number, base = 0): GgufWriteTensor => {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = base + (rand() * 2 - 1) * scale;
    return { name, dims, type: "F32", data: new Uint8Array(data.buffer) };
  };
  const tensors: GgufWriteTensor[] = [
    tensor("token_embd.weight", [nEmbd, nVocab], 0.5),
    tensor("output_norm.weight", [nEmbd], 0.1),
    tensor("blk.0.attn_norm.weight", [nEmbd], 0.1),
    tensor("blk.0.attn_q.weight", [nEmbd, nHead * headDim], 0.1),
    tensor("blk.0.attn_k.weight", [nEmbd, headDim], 0.1),
    tensor("blk.0.attn_v.weight", [nEmbd, headDim], 0.1),
    tensor("blk.0.attn_output.weight", [nHead * headDim, nEmbd], 0.1),
    tensor("blk.0.post_attention_norm.weight", [nEmbd], 0.1),
    tensor("blk.0.attn_q_norm.weight", [headDim], 0.1),
    tensor("blk.0.attn_k_norm.weight", [headDim], 0.1),
    tensor("blk.0.ffn_norm.weight", [nEmbd], 0.1),
    tensor("blk.0.ffn_gate.weight", [nEmbd, nFf], 0.1),
    tensor("blk.0.ffn_up.weight", [nEmbd, nFf], 0.1),
    tensor("blk.0.ffn_down.weight", [nFf, nEmbd], 0.1),
    tensor("blk.0.post_ffw_norm.weight", [nEmbd], 0.1),
  ];
  const tmp = `${path}.${process.pid}.tmp`;
  await writeGguf(tmp, { metadata, tensors });
  renameSync(tmp, path);
  return path;
}
