// Hugging Face checkpoint → conversion plan (metadata + tensor sources), Ollama's rules:
// config.json `architectures[0]` picks the converter ("unsupported architecture \"X\"" otherwise); the
// tokenizer is required; vocab padded to `vocab_size`; 1-D tensors, biases and a few named ones stay F32,
// the rest become F16, or BF16 when the checkpoint is BF16 (convert/reader.go, reader_safetensors.go).
// A requested float type (`quantize: F32|F16|BF16`) is honored directly, with no F16 round trip.

import type { GgufTypedValue } from "../gguf/index.js";
import { ConversionError } from "../util/errors.js";
import { ARCHITECTURES } from "./architectures.js";
import type { OutType } from "./floats.js";
import { type ConversionPlan, type HfConfig, type PlannedTensor, replaceAll } from "./plan.js";
import { type FloatDtype, readCheckpoint } from "./safetensors.js";
import type { SourceFiles } from "./source.js";
import { padVocabulary, parseTokenizer, tokenizerKv } from "./tokenizer.js";

export const SUPPORTED_ARCHITECTURES = Object.keys(ARCHITECTURES);

/** GGUF `general.file_type` of each float output. */
export const FILE_TYPE: Record<OutType, number> = { F32: 0, F16: 1, BF16: 32 };

/** Ollama's Kind(): which tensors are stored as F32 whatever the checkpoint holds. */
function alwaysF32(name: string, shape: number[]): boolean {
  return shape.length <= 1 || name.endsWith(".bias") || name.endsWith(".ffn_gate_inp.weight") || name === "token_types.weight";
}

export function outputType(name: string, shape: number[], src: FloatDtype, want?: OutType): OutType {
  if (alwaysF32(name, shape)) return "F32";
  if (want) return want;
  return src === "BF16" ? "BF16" : "F16";
}

async function readConfig(files: SourceFiles): Promise<HfConfig> {
  const cfg = await files.json<HfConfig>("config.json");
  if (!cfg) throw new ConversionError("config.json not found: a Hugging Face model directory needs one");
  return cfg;
}

/** BERT's pooling and normalization come from sentence-transformers' modules.json (Ollama's parseMore). */
async function sentenceTransformers(files: SourceFiles, cfg: HfConfig): Promise<void> {
  const modules = await files.json<{ type?: string; path?: string }[]>("modules.json");
  if (!Array.isArray(modules)) return;
  for (const m of modules) {
    if (m.type === "sentence_transformers.models.Normalize") cfg.__normalize = true;
    if (m.type === "sentence_transformers.models.Pooling" && m.path) {
      const pc = await files.json<Record<string, unknown>>(`${m.path}/config.json`);
      if (pc?.pooling_mode_mean_tokens) cfg.__pooling_type = 1;
      else if (pc?.pooling_mode_cls_token) cfg.__pooling_type = 2;
    }
  }
}

export async function planModel(files: SourceFiles, want?: OutType): Promise<ConversionPlan> {
  const cfg = await readConfig(files);
  const name = Array.isArray(cfg.architectures) ? String(cfg.architectures[0]) : undefined;
  if (!name) throw new ConversionError("unknown architecture");
  const arch = ARCHITECTURES[name];
  if (!arch) throw new ConversionError(`unsupported architecture "${name}"`);
  if (arch.arch === "bert") await sentenceTransformers(files, cfg);

  const tok = await parseTokenizer(files, cfg);
  padVocabulary(tok, typeof cfg.vocab_size === "number" ? cfg.vocab_size : undefined);
  arch.vocab?.(tok);

  const sources = await readCheckpoint(files);
  const tensors: PlannedTensor[] = [];
  const seen = new Set<string>();
  for (const src of sources) {
    const name = replaceAll(src.name, arch.replacements);
    if (seen.has(name)) throw new ConversionError(`duplicate tensor name '${name}' was found for this model`);
    seen.add(name);
    const planned = arch.tensor ? arch.tensor({ name, shape: src.shape, type: outputType(name, src.shape, src.dtype, want), src }, cfg) : { name, shape: src.shape, type: outputType(name, src.shape, src.dtype, want), src };
    if (planned) tensors.push(planned);
  }
  const extra = arch.extra?.(cfg) ?? [];
  const fileType = want ?? (tensors.some((t) => t.type === "BF16") ? "BF16" : "F16");

  const metadata: Record<string, GgufTypedValue> = {
    "general.file_type": { type: "uint32", value: FILE_TYPE[fileType] },
    "general.quantization_version": { type: "uint32", value: 2 },
    ...(tokenizerKv(tok) as Record<string, GgufTypedValue>),
    ...arch.kv(cfg, tok),
  };
  // Go's writer orders keys; llama.cpp does not care, but a stable order keeps digests reproducible.
  const ordered = Object.fromEntries(Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : 1)));
  // llama.cpp sorts nothing either; blocks in numeric order read best in `show`.
  return { metadata: ordered, tensors: [...extra, ...sortTensors(tensors)] };
}

/** Non-block tensors first, then blocks in numeric order (Ollama's WriteGGUF order). */
function sortTensors(ts: PlannedTensor[]): PlannedTensor[] {
  const block = (n: string) => {
    const m = /^blk\.(\d+)\./.exec(n);
    return m ? Number(m[1]) : -1;
  };
  return ts
    .map((t, i) => ({ t, i }))
    .sort((a, b) => block(a.t.name) - block(b.t.name) || a.i - b.i)
    .map(({ t }) => t);
}
