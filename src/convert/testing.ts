// Test helpers: tiny Hugging Face checkpoints with random weights and real tokenizers. The tokenizer
// files are rebuilt from llama.cpp's vocabulary GGUFs (test/data/fixtures/vocab), in the form the
// original models ship them: `tokenizer.model` for SentencePiece vocabularies, `tokenizer.json` for BPE
// and WordPiece ones.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readGguf } from "../gguf/index.js";
import { fixture } from "../testing/fixtures.js";
import { fromFloat32 } from "./floats.js";
import { type FloatDtype, writeSafetensors } from "./safetensors.js";
import { encodeSentencePiece } from "./sentencepiece.js";

export type VocabName = "llama-spm" | "llama-bpe" | "qwen2" | "phi-3" | "bert-bge";

const SPLIT_REGEX: Record<string, string> = {
  "llama-bpe": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  qwen2: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
};

/** Writes the tokenizer files of `vocab` into `dir`; returns the vocabulary size. */
export async function writeTokenizer(dir: string, vocab: VocabName): Promise<number> {
  const g = await readGguf(fixture(`vocab/ggml-vocab-${vocab}.gguf`));
  const tokens = g.metadata["tokenizer.ggml.tokens"] as string[];
  const types = g.metadata["tokenizer.ggml.token_type"] as number[];
  const scores = (g.metadata["tokenizer.ggml.scores"] as number[] | undefined) ?? tokens.map(() => 0);
  const id = (k: string) => g.metadata[`tokenizer.ggml.${k}_token_id`] as number | undefined;
  const config: Record<string, unknown> = {};
  for (const [type, key] of [["bos", "bos"], ["eos", "eos"], ["unk", "unknown"], ["sep", "seperator"], ["pad", "padding"], ["cls", "cls"], ["mask", "mask"]]) {
    const i = id(key!);
    if (i !== undefined) config[`${type}_token`] = tokens[i];
  }
  const addBos = g.metadata["tokenizer.ggml.add_bos_token"];
  if (typeof addBos === "boolean") config.add_bos_token = addBos;

  if (vocab === "llama-spm" || vocab === "phi-3") {
    const n = vocab === "phi-3" ? 32000 : tokens.length;
    writeFileSync(join(dir, "tokenizer.model"), encodeSentencePiece(tokens.slice(0, n).map((piece, i) => ({ piece, score: scores[i]!, type: types[i]! }))));
    if (n < tokens.length) {
      const added: Record<string, number> = {};
      for (let i = n; i < tokens.length; i++) if (!tokens[i]!.startsWith("[PAD")) added[tokens[i]!] = i;
      writeFileSync(join(dir, "added_tokens.json"), JSON.stringify(added));
    }
  } else if (vocab === "bert-bge") {
    const vocabMap: Record<string, number> = {};
    tokens.forEach((t, i) => (vocabMap[t.startsWith("[") && t.endsWith("]") ? t : t.startsWith("\u2581") ? t.slice(1) : `##${t}`] = i));
    const added = tokens.flatMap((t, i) => (types[i] === 3 ? [{ id: i, content: t, special: true }] : []));
    writeFileSync(join(dir, "tokenizer.json"), JSON.stringify({ added_tokens: added, model: { type: "WordPiece", vocab: vocabMap } }));
  } else {
    const vocabMap: Record<string, number> = {};
    const added: { id: number; content: string; special: boolean }[] = [];
    tokens.forEach((t, i) => {
      if (types[i] === 3 || types[i] === 4) added.push({ id: i, content: t, special: types[i] === 3 });
      else vocabMap[t] = i;
    });
    const pre = { type: "Sequence", pretokenizers: [{ type: "Split", pattern: { Regex: SPLIT_REGEX[vocab] }, behavior: "Isolated", invert: false }, { type: "ByteLevel" }] };
    writeFileSync(
      join(dir, "tokenizer.json"),
      JSON.stringify({ added_tokens: added, model: { type: "BPE", vocab: vocabMap, merges: g.metadata["tokenizer.ggml.merges"] }, pre_tokenizer: pre }),
    );
  }
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(config));
  return tokens.length;
}

/** Deterministic pseudo-random floats (xorshift), small enough to keep activations finite. */
function randomFloats(n: number, seed: number, scale = 0.05): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 0xffffffff - 0.5) * 2 * scale;
  }
  return out;
}

/** Writes `model.safetensors` with random tensors of the given shapes; norms (1-D `*norm*`) near 1. */
export async function writeRandomCheckpoint(dir: string, shapes: Record<string, number[]>, dtype: FloatDtype = "F16"): Promise<void> {
  let seed = 1;
  const tensors = Object.entries(shapes).map(([name, shape]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = randomFloats(n, seed++);
    if (shape.length === 1 && /norm|LayerNorm/.test(name) && !name.endsWith(".bias")) v.forEach((x, i) => (v[i] = 1 + x));
    return { name, dtype, shape, data: fromFloat32(v, dtype) };
  });
  await writeSafetensors(join(dir, "model.safetensors"), tensors);
}

export interface TinyModel {
  architecture: string;
  vocab: VocabName;
  dtype?: FloatDtype;
  extraConfig?: Record<string, unknown>;
}

const H = 64; // hidden
const HEADS = 4;
const KV = 2;
const FF = 128;

/** A one-block model of `architecture` in `dir`, with the real tokenizer `vocab`. */
export async function writeTinyModel(dir: string, m: TinyModel): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const V = await writeTokenizer(dir, m.vocab);
  const hd = H / HEADS;
  const shapes: Record<string, number[]> = {};
  const config: Record<string, unknown> = {
    architectures: [m.architecture],
    vocab_size: V,
    hidden_size: H,
    intermediate_size: FF,
    num_hidden_layers: 1,
    num_attention_heads: HEADS,
    num_key_value_heads: KV,
    max_position_embeddings: 256,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    head_dim: hd,
    ...m.extraConfig,
  };
  const L = "model.layers.0.";
  if (m.architecture === "BertModel") {
    Object.assign(config, { layer_norm_eps: 1e-12, num_key_value_heads: undefined });
    Object.assign(shapes, {
      "embeddings.word_embeddings.weight": [V, H],
      "embeddings.position_embeddings.weight": [256, H],
      "embeddings.token_type_embeddings.weight": [2, H],
      "embeddings.LayerNorm.weight": [H],
      "embeddings.LayerNorm.bias": [H],
      "embeddings.position_ids": [1, 256],
    });
    const B = "encoder.layer.0.";
    for (const p of ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]) {
      shapes[`${B}${p}.weight`] = [H, H];
      shapes[`${B}${p}.bias`] = [H];
    }
    Object.assign(shapes, {
      [`${B}attention.output.LayerNorm.weight`]: [H],
      [`${B}attention.output.LayerNorm.bias`]: [H],
      [`${B}intermediate.dense.weight`]: [FF, H],
      [`${B}intermediate.dense.bias`]: [FF],
      [`${B}output.dense.weight`]: [H, FF],
      [`${B}output.dense.bias`]: [H],
      [`${B}output.LayerNorm.weight`]: [H],
      [`${B}output.LayerNorm.bias`]: [H],
      "pooler.dense.weight": [H, H],
      "pooler.dense.bias": [H],
    });
    writeFileSync(join(dir, "modules.json"), JSON.stringify([{ type: "sentence_transformers.models.Transformer", path: "" }, { type: "sentence_transformers.models.Pooling", path: "1_Pooling" }]));
    mkdirSync(join(dir, "1_Pooling"), { recursive: true });
    writeFileSync(join(dir, "1_Pooling", "config.json"), JSON.stringify({ pooling_mode_cls_token: true }));
  } else {
    shapes["model.embed_tokens.weight"] = [V, H];
    shapes["model.norm.weight"] = [H];
    shapes[`${L}input_layernorm.weight`] = [H];
    shapes[`${L}post_attention_layernorm.weight`] = [H];
    shapes[`${L}self_attn.o_proj.weight`] = [H, H];
    shapes[`${L}mlp.down_proj.weight`] = [H, FF];
    if (m.architecture === "Phi3ForCausalLM") {
      shapes[`${L}self_attn.qkv_proj.weight`] = [H + 2 * KV * hd, H];
      shapes[`${L}mlp.gate_up_proj.weight`] = [2 * FF, H];
      shapes["lm_head.weight"] = [V, H];
      config.original_max_position_embeddings = 256;
    } else {
      shapes[`${L}self_attn.q_proj.weight`] = [H, H];
      shapes[`${L}self_attn.k_proj.weight`] = [KV * hd, H];
      shapes[`${L}self_attn.v_proj.weight`] = [KV * hd, H];
      shapes[`${L}mlp.gate_proj.weight`] = [FF, H];
      shapes[`${L}mlp.up_proj.weight`] = [FF, H];
    }
    if (m.architecture === "Qwen2ForCausalLM") {
      for (const p of ["q", "k", "v"]) shapes[`${L}self_attn.${p}_proj.bias`] = [p === "q" ? H : KV * hd];
    }
    if (m.architecture === "Qwen3ForCausalLM" || m.architecture === "Gemma3ForCausalLM") {
      shapes[`${L}self_attn.q_norm.weight`] = [hd];
      shapes[`${L}self_attn.k_norm.weight`] = [hd];
    }
    if (m.architecture.startsWith("Gemma")) {
      shapes[`${L}pre_feedforward_layernorm.weight`] = [H];
      shapes[`${L}post_feedforward_layernorm.weight`] = [H];
      Object.assign(config, { sliding_window: 128, query_pre_attn_scalar: hd });
    }
  }
  await writeRandomCheckpoint(dir, shapes, m.dtype ?? "F16");
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
}

/** llama.cpp's vocab test cases: inputs separated by `\n__ggml_vocab_test__\n`, one line of ids each. */
export function vocabCases(vocab: VocabName): { text: string; ids: number[] }[] {
  const inp = readFileSync(fixture(`vocab/ggml-vocab-${vocab}.gguf.inp`), "utf8");
  const out = readFileSync(fixture(`vocab/ggml-vocab-${vocab}.gguf.out`), "utf8").split("\n");
  const texts: string[] = [];
  const sep = "\n__ggml_vocab_test__\n";
  for (let pos = 0; pos < inp.length; ) {
    const next = inp.indexOf(sep, pos);
    if (next < 0) {
      texts.push(inp.slice(pos));
      break;
    }
    texts.push(inp.slice(pos, next));
    pos = next + sep.length;
  }
  return texts.map((text, i) => ({ text, ids: out[i]!.trim() ? out[i]!.trim().split(" ").map(Number) : [] }));
}
