// What inference needs to know about a model's GGUF before running it: trained context, chat
// template, pooling (embedding models), and the details `/api/ps` shows. Headers are read once per
// file and cached (blobs are content-addressed, so a path never changes meaning).

import type { ModelDetails } from "../api/types.js";
import { fileTypeName } from "../gguf/ggml-types.js";
import { readGguf, type GgufValue } from "../gguf/reader.js";
import type { Model } from "../store/index.js";

export interface GgufSummary {
  architecture: string;
  /** `<arch>.context_length`; 0 when absent. */
  contextLength: number;
  embeddingLength: number;
  /** `tokenizer.chat_template`, when the file carries one. */
  chatTemplate?: string;
  /** `<arch>.pooling_type` exists: an embedding model (ollama-spec §8.4). */
  hasPooling: boolean;
  parameterCount: number;
  fileType?: number;
  sizeLabel?: string;
  /** Text of the BOS/EOS tokens, for chat templates that print them. */
  bosToken?: string;
  eosToken?: string;
}

const cache = new Map<string, Promise<GgufSummary>>();

/** Reads (once) the header summary of a GGUF file. */
export function ggufSummary(path: string): Promise<GgufSummary> {
  let p = cache.get(path);
  if (!p) {
    p = readSummary(path);
    p.catch(() => cache.delete(path));
    cache.set(path, p);
  }
  return p;
}

async function readSummary(path: string): Promise<GgufSummary> {
  const gguf = await readGguf(path, { validate: false });
  const md = gguf.metadata;
  const arch = str(md["general.architecture"]) ?? "";
  const num = (v: GgufValue | undefined) => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : 0);
  return {
    architecture: arch,
    contextLength: num(md[`${arch}.context_length`]),
    embeddingLength: num(md[`${arch}.embedding_length`]),
    chatTemplate: str(md["tokenizer.chat_template"]),
    hasPooling: md[`${arch}.pooling_type`] !== undefined,
    parameterCount: gguf.tensors.reduce((s, t) => s + t.elements, 0),
    fileType: md["general.file_type"] === undefined ? undefined : num(md["general.file_type"]),
    sizeLabel: str(md["general.size_label"]),
    bosToken: tokenText(md, "tokenizer.ggml.bos_token_id"),
    eosToken: tokenText(md, "tokenizer.ggml.eos_token_id"),
  };
}

function tokenText(md: Record<string, GgufValue>, key: string): string | undefined {
  const id = md[key];
  const tokens = md["tokenizer.ggml.tokens"];
  if ((typeof id !== "number" && typeof id !== "bigint") || !Array.isArray(tokens)) return undefined;
  return str(tokens[Number(id)]);
}

function str(v: GgufValue | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Ollama's `format.HumanNumber` for parameter counts: `293K`, `1.24M`, `7B`, `8.0B`. */
export function humanParameters(n: number): string {
  const units: [number, string, number][] = [
    [1e12, "T", 1],
    [1e9, "B", 1],
    [1e6, "M", 2],
    [1e3, "K", 0],
  ];
  for (const [size, unit, digits] of units) {
    if (n >= size) {
      const v = n / size;
      return `${Number.isInteger(v) ? v.toFixed(0) : v.toFixed(digits)}${unit}`;
    }
  }
  return String(n);
}

/** Details as `/api/ps` and `/api/tags` show them: the config blob first, the GGUF header second. */
export function modelDetails(model: Model, gguf: GgufSummary): ModelDetails {
  const c = model.config;
  const family = c.model_family || gguf.architecture;
  return {
    parent_model: model.parentModel,
    format: c.model_format || "gguf",
    family,
    families: c.model_families ?? (family ? [family] : null),
    parameter_size: c.model_type || gguf.sizeLabel || humanParameters(gguf.parameterCount),
    quantization_level: c.file_type || (gguf.fileType !== undefined ? fileTypeName(gguf.fileType) : ""),
  };
}
