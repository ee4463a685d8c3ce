// Inference: generate, chat, embed — the use cases between the HTTP routes and the scheduler.
//
//   new Inference({ store, scheduler, defaults: { contextLength, goTemplate }, log? })
//     .generate(req, signal)   AsyncIterable<GenerateResponse[]>: batches (the lines ready together, one runner
//                              batch each); errors before output throw from the first next()
//     .chat(req, signal)       AsyncIterable<ChatResponse[]>; thinking split, tool calls whole (`call_` ids)
//     .embed(req, signal)      Promise<EmbedResponse>: one runner call per request, L2-normalized, `dimensions`
//     .embeddings(req, signal) Promise<EmbeddingResponse>: legacy, the engine's vector as is
//     .rerank({ model, query, documents, top_n }, signal)  [{ index, relevance_score }] best first
//     .countChatTokens(req, signal)  tokens (with BOS) of the rendered chat prompt
//     .ps() ProcessResponse (from scheduler.ps() and the meta given at acquire);  .unload(name) keep_alive 0 now
//   The scheduler is any SchedulerLike (acquire/expire/ps; `scheduler/`'s Scheduler fits), see seams.ts.
//   Prompt: Modelfile TEMPLATE (Go) when OLLAMA_GO_TEMPLATE, else GGUF Jinja chat template, else the
//   prompt verbatim (generate) / ChatML (chat); history truncated to num_ctx with the runner's tokenizer.
//   mergeOptions: Ollama's option precedence, defaults and type errors (§1.4).
//   testing.ts (tests only): createTestStore(...specs) and TestScheduler over any CreateRunner.
//   parsers/ (own header): thinking and tool-call output parsers.
export { Inference, type InferenceOptions } from "./inference.js";
export type { InferenceDefaults, Logger } from "./core.js";
export type { AcquireRequest, Lease, LoadedRunner, RunnerMeta, SchedulerLike } from "./seams.js";
export { mergeOptions, DEFAULT_NUM_CTX, type MergedOptions } from "./options.js";
export { l2Normalize, finishEmbedding } from "./embed-math.js";
export { ggufSummary, type GgufSummary } from "./model-info.js";
