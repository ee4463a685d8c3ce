// POST /api/embed, the legacy /api/embeddings (ollama-spec §1.6, §12) and herd's rerank.
// Inputs go to the runner in one call (it batches them), then are normalized here.

import type { EmbeddingRequest, EmbeddingResponse, EmbedRequest, EmbedResponse, KeepAlive, Options, RerankRequest, RerankResult } from "../api/types.js";
import { BadRequestError, CapabilityError } from "../util/errors.js";
import type { InferenceCore, ResolvedModel } from "./core.js";
import { finishEmbedding } from "./embed-math.js";
import { buildMetrics, nowNs } from "./metrics.js";
import type { Lease } from "./seams.js";

/** `input` as Ollama reads it: "" = nothing, a string = one, an array of strings = many. */
export function embedInputs(input: unknown): string[] {
  if (input === undefined || input === null || input === "") return [];
  if (typeof input === "string") return [input];
  if (Array.isArray(input) && input.every((s) => typeof s === "string")) return input as string[];
  throw new BadRequestError("invalid input type");
}

async function leaseFor(
  core: InferenceCore,
  m: ResolvedModel,
  options: Options | undefined,
  keepAlive: KeepAlive | undefined,
  signal?: AbortSignal,
): Promise<Lease> {
  const merged = core.mergeOptions(m, options, { embedding: m.gguf.pooling_type !== undefined });
  return core.acquire(m, merged, core.keepAliveMs(keepAlive), signal);
}

export async function embed(core: InferenceCore, req: EmbedRequest, signal?: AbortSignal): Promise<EmbedResponse> {
  const start = nowNs();
  const inputs = embedInputs(req.input);
  const m = await core.resolve(req.model, "not-found");
  if (req.dimensions !== undefined && (!Number.isInteger(req.dimensions) || req.dimensions < 0)) {
    throw new BadRequestError("dimensions must be a non-negative integer");
  }
  const lease = await leaseFor(core, m, req.options, req.keep_alive, signal);
  const loadNs = Number(nowNs() - start);
  try {
    if (inputs.length === 0) return { model: req.model, embeddings: [] };
    const result = await lease.runner.embed(inputs, { truncate: req.truncate !== false, signal });
    const embeddings = result.embeddings.map((v) => finishEmbedding(v, req.dimensions));
    const metrics = buildMetrics(start, loadNs);
    const out: EmbedResponse = { model: req.model, embeddings, ...metrics };
    if (result.promptTokens > 0) out.prompt_eval_count = result.promptTokens;
    return out;
  } finally {
    lease.release();
  }
}

/** Legacy endpoint: one prompt, the engine's vector as is; an empty prompt only loads the model. */
export async function embeddings(core: InferenceCore, req: EmbeddingRequest, signal?: AbortSignal): Promise<EmbeddingResponse> {
  const m = await core.resolve(req.model, "required");
  const lease = await leaseFor(core, m, req.options, req.keep_alive, signal);
  try {
    if (!req.prompt) return { embedding: [] };
    const result = await lease.runner.embed([req.prompt], { truncate: true, signal });
    return { embedding: result.embeddings[0] ?? [] };
  } finally {
    lease.release();
  }
}

/** Scores each document for the query with a reranker model; best first, cut to `top_n`. */
export async function rerank(core: InferenceCore, req: RerankRequest, signal?: AbortSignal): Promise<RerankResult[]> {
  if (typeof req.query !== "string") throw new BadRequestError("query is required");
  const docs = embedInputs(req.documents);
  const m = await core.resolve(req.model, "required");
  // Checked on the file, before a load: the engine's own refusal comes only after loading, as a 500.
  if (!m.gguf.canRank) throw new CapabilityError(`"${req.model}" does not support reranking`);
  const lease = await leaseFor(core, m, req.options, req.keep_alive, signal);
  try {
    if (docs.length === 0) return [];
    if (!lease.runner.rank) throw new CapabilityError(`"${req.model}" does not support reranking`);
    const scores = await lease.runner.rank(req.query, docs, signal);
    const ranked = scores.map((relevance_score, index) => ({ index, relevance_score })).sort((a, b) => b.relevance_score - a.relevance_score);
    return req.top_n !== undefined && req.top_n > 0 ? ranked.slice(0, req.top_n) : ranked;
  } finally {
    lease.release();
  }
}
