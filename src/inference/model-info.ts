// What inference needs to know about a model's GGUF before running it: trained context, chat
// template, pooling (embedding models), and the details `/api/ps` shows. Headers are read once per
// file and cached (blobs are content-addressed, so a path never changes meaning).

import type { ModelDetails } from "../api/types.js";
import { type GgufCache, type GgufFile, type GgufValue, modelDetails as ggufDetails } from "../gguf/index.js";
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
  /** As the gguf reader derives them (Ollama's HumanNumber; file type or dominant tensor type). */
  parameterSize: string;
  quantizationLevel: string;
  /** Text of the BOS/EOS tokens, for chat templates that print them. */
  bosToken?: string;
  eosToken?: string;
  /** Tokens in the vocabulary (`tokenizer.ggml.tokens`); 0 when the file has none. */
  vocabSize: number;
  /** A reranker: a classification head (`cls.weight`/`cls.output.weight`) over a pooled encoder. */
  canRank: boolean;
}

const cache = new Map<string, Promise<GgufSummary>>();

/** The header summary of a GGUF file, derived once; the header itself comes through the shared cache. */
export function ggufSummary(path: string, ggufs: GgufCache): Promise<GgufSummary> {
  let p = cache.get(path);
  if (!p) {
    p = ggufs.read(path).then(summarize);
    p.catch(() => cache.delete(path));
    cache.set(path, p);
  }
  return p;
}

function summarize(gguf: GgufFile): GgufSummary {
  const md = gguf.metadata;
  const details = ggufDetails(gguf);
  const arch = str(md["general.architecture"]) ?? "";
  const num = (v: GgufValue | undefined) => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : 0);
  return {
    architecture: arch,
    contextLength: num(md[`${arch}.context_length`]),
    embeddingLength: num(md[`${arch}.embedding_length`]),
    chatTemplate: str(md["tokenizer.chat_template"]),
    hasPooling: md[`${arch}.pooling_type`] !== undefined,
    parameterSize: details.parameter_size,
    quantizationLevel: details.quantization_level,
    bosToken: tokenText(md, "tokenizer.ggml.bos_token_id"),
    eosToken: tokenText(md, "tokenizer.ggml.eos_token_id"),
    vocabSize: Array.isArray(md["tokenizer.ggml.tokens"]) ? (md["tokenizer.ggml.tokens"] as unknown[]).length : 0,
    canRank: md[`${arch}.pooling_type`] !== undefined && gguf.tensors.some((t) => t.name === "cls.weight" || t.name === "cls.output.weight"),
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

/** Details as `/api/ps` and `/api/tags` show them: the config blob first, the GGUF header second. */
export function modelDetails(model: Model, gguf: GgufSummary): ModelDetails {
  const c = model.config;
  const family = c.model_family || gguf.architecture;
  return {
    parent_model: model.parentModel,
    format: c.model_format || "gguf",
    family,
    families: c.model_families ?? (family ? [family] : null),
    parameter_size: c.model_type || gguf.parameterSize,
    quantization_level: c.file_type || gguf.quantizationLevel,
  };
}
