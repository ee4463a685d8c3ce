// Reranking, beyond Ollama (ollama-spec §15): `{model, query, documents, top_n?, return_documents?}` →
// `{model, results:[{index, relevance_score, document?}]}` sorted by score, the shape Jina and Cohere
// clients read. Served natively at `/api/rerank` (Ollama's error shape) and at `/v1/rerank` (OpenAI's).

import type { Context } from "hono";
import { messageOf, statusOf } from "../errors.js";
import { BadRequestError, HerdError } from "../../util/errors.js";
import type { CompatBackend, RerankRequest, RerankResult } from "./backend.js";
import { isRecord, readJsonObject } from "./body.js";
import { linkedAbort } from "./sse.js";
import { requestSignal } from "../edge.js";

/** 501: the backend has no reranker. */
export class RerankUnsupportedError extends HerdError {
  override name = "RerankUnsupportedError";
  constructor() {
    super("reranking is not supported by this server");
  }
}

export interface ParsedRerank {
  request: RerankRequest;
  returnDocuments: boolean;
}

export function parseRerankRequest(body: Record<string, unknown>): ParsedRerank {
  if (typeof body.model !== "string" || body.model === "") throw new BadRequestError("model is required");
  if (typeof body.query !== "string") throw new BadRequestError("query is required");
  if (!Array.isArray(body.documents) || body.documents.length === 0) throw new BadRequestError("documents is required");
  // Cohere and Jina accept `{text}` objects as documents as well as plain strings.
  const documents = body.documents.map((d) => {
    if (typeof d === "string") return d;
    if (isRecord(d) && typeof d.text === "string") return d.text;
    throw new BadRequestError("documents must be strings or objects with a text field");
  });
  const request: RerankRequest = { model: body.model, query: body.query, documents };
  if (body.top_n !== undefined && body.top_n !== null) {
    if (typeof body.top_n !== "number" || !Number.isInteger(body.top_n) || body.top_n < 1) {
      throw new BadRequestError("top_n must be a positive integer");
    }
    request.top_n = body.top_n;
  }
  return { request, returnDocuments: body.return_documents !== false };
}

/** Sorts by score (ties keep document order), cuts to top_n, attaches the documents if asked. */
export function rankResults(scores: RerankResult[], parsed: ParsedRerank): RerankResult[] {
  const sorted = [...scores].sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index);
  const cut = parsed.request.top_n !== undefined ? sorted.slice(0, parsed.request.top_n) : sorted;
  return cut.map((s) => {
    const r: RerankResult = { index: s.index, relevance_score: s.relevance_score };
    if (parsed.returnDocuments) r.document = { text: parsed.request.documents[s.index] ?? "" };
    return r;
  });
}

export async function rerank(backend: CompatBackend, body: Record<string, unknown>, signal: AbortSignal) {
  const parsed = parseRerankRequest(body);
  if (!backend.rerank) throw new RerankUnsupportedError();
  const scores = await backend.rerank(parsed.request, signal);
  return { model: parsed.request.model, results: rankResults(scores, parsed) };
}

export function rerankStatus(err: unknown): number {
  return err instanceof RerankUnsupportedError ? 501 : statusOf(err);
}

/** `/api/rerank`, errors as Ollama's `{"error": "..."}`. */
export function rerankHandler(backend: CompatBackend) {
  return async (c: Context): Promise<Response> => {
    try {
      const body = await readJsonObject(c);
      return Response.json(await rerank(backend, body, linkedAbort(requestSignal(c)).signal));
    } catch (err) {
      return Response.json({ error: messageOf(err) }, { status: rerankStatus(err) });
    }
  };
}
