// OpenAI `/v1/embeddings` ⇄ native embed (ollama-spec §2.3).

import type { EmbedRequest, EmbedResponse } from "../../../api/types.js";
import { BadRequestError } from "../../../util/errors.js";
import { optNumber } from "../body.js";
import { requireModel } from "./shared.js";

export interface EmbeddingsTranslation {
  request: EmbedRequest;
  encoding: "float" | "base64";
}

export function translateEmbeddingsRequest(body: Record<string, unknown>): EmbeddingsTranslation {
  const model = requireModel(body);
  const encoding = body.encoding_format ?? "float";
  if (encoding !== "float" && encoding !== "base64") {
    throw new BadRequestError(
      `Invalid value for 'encoding_format' = ${String(encoding)}. Supported values: ['float', 'base64'].`,
    );
  }
  const input = body.input;
  let texts: string[];
  if (typeof input === "string") texts = [input];
  else if (Array.isArray(input) && input.length > 0 && input.every((s) => typeof s === "string")) texts = input;
  else throw new BadRequestError("invalid input");
  const request: EmbedRequest = { model, input: texts };
  const dimensions = optNumber(body, "dimensions");
  if (dimensions !== undefined && dimensions > 0) request.dimensions = Math.trunc(dimensions);
  return { request, encoding };
}

/** OpenAI's base64 encoding: the raw little-endian float32 bytes of the vector. */
export function floatsToBase64(values: number[]): string {
  const buf = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString("base64");
}

export interface OpenAIEmbeddingList {
  object: "list";
  data: { object: "embedding"; embedding: number[] | string; index: number }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

export function toEmbeddingList(res: EmbedResponse, encoding: "float" | "base64"): OpenAIEmbeddingList {
  const tokens = res.prompt_eval_count ?? 0;
  return {
    object: "list",
    data: res.embeddings.map((e, index) => ({
      object: "embedding",
      embedding: encoding === "base64" ? floatsToBase64(e) : e,
      index,
    })),
    model: res.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
