// What inference needs to know about a model's GGUF before running it: trained context, chat
// template, pooling (embedding models), and the details `/api/ps` shows. Headers are read once per
// file and cached (blobs are content-addressed, so a path never changes meaning).

import type { Lru } from "../util/lru.js";
import { describeGguf, type GgufCache, type GgufFile, type GgufModelDetails, type GgufValue } from "../gguf/index.js";

/** The header's description (details, trained context, pooling, chat template) plus the BOS/EOS texts. */
export interface GgufSummary extends GgufModelDetails {
  /** Text of the BOS/EOS tokens, for chat templates that print them. */
  bosToken?: string;
  eosToken?: string;
  /** Tokens in the vocabulary (`tokenizer.ggml.tokens`); 0 when the file has none. */
  vocabSize: number;
  /** A reranker: a classification head (`cls.weight`/`cls.output.weight`) over a pooled encoder. */
  canRank: boolean;
}

/**
 * The header summary of a GGUF file, derived once per path while `summaries` (owned by the inference
 * service) remembers it; the header itself comes through the shared GgufCache.
 */
export function ggufSummary(path: string, ggufs: GgufCache, summaries: Lru<string, Promise<GgufSummary>>): Promise<GgufSummary> {
  return summaries.getOrCreate(path, () => ggufs.read(path).then(summarize));
}

function summarize(gguf: GgufFile): GgufSummary {
  const md = gguf.metadata;
  const arch = md["general.architecture"];
  return {
    ...describeGguf(gguf),
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
  const t = tokens[Number(id)];
  return typeof t === "string" ? t : undefined;
}
