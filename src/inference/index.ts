// Inference: generate, chat, embed — the use cases between the HTTP routes and the scheduler.
//
//   new Inference({ store, scheduler, defaults: { keepAliveMs, contextLength, goTemplate }, log? })
//     .generate(req, signal)  AsyncIterable<GenerateResponse>  (errors before output: first next() throws)
//     .chat(req, signal)      AsyncIterable<ChatResponse>
//     .embed(req, signal)     Promise<EmbedResponse>   L2-normalized, `dimensions`, one runner call per request
//     .embeddings(req, signal) Promise<EmbeddingResponse>  legacy, vectors as the engine returns them
//     .rerank({ model, query, documents, top_n }, signal)  [{ index, relevance_score }] best first
//     .countChatTokens(req, signal)  tokens of the rendered chat prompt
//     .ps()  ProcessResponse;  .unload(name)  keep_alive 0 now
//   The scheduler is any SchedulerLike (acquire/expire/ps), see seams.ts.
//   mergeOptions / coerceOptionMap: Ollama's options precedence and type rules (§1.4).
//   parsers/ (own header): thinking and tool-call output parsers.
export { Inference, type InferenceOptions } from "./inference.js";
export type { InferenceDefaults, Logger } from "./core.js";
export type { AcquireRequest, Lease, LoadedRunner, RunnerMeta, SchedulerLike } from "./seams.js";
export type { RerankRequest, RerankResult } from "./embed.js";
export { coerceOptionMap, mergeOptions, OPTION_KINDS, DEFAULT_NUM_CTX, type MergedOptions } from "./options.js";
export { l2Normalize, finishEmbedding } from "./embed-math.js";
