// server/compat: the OpenAI- and Anthropic-compatible HTTP edges (ollama-spec §2, §16.4, §16.5), as
// pure translators over a `CompatBackend` (native chat/generate/embed/list/show, supplied by the lead).
//
//   openaiRoutes(backend)    Hono app: POST /v1/chat/completions, /v1/completions, /v1/embeddings,
//                            /v1/responses, /v1/rerank; GET /v1/models, /v1/models/:model.
//                            Errors: {"error":{"message","type","param","code"}}.
//   anthropicRoutes(backend) Hono app: POST /v1/messages (+ SSE events), /v1/messages/count_tokens.
//                            Errors: {"type":"error","error":{type,message},"request_id"}.
//   rerankHandler(backend)   Hono handler for POST /api/rerank (Ollama's {"error"} shape).
//
// Streams open after the first native chunk, so errors thrown before any output keep their status
// (statusOf in server/errors.ts); later errors are sent in-band in the dialect's shape. A client
// disconnect aborts the signal passed to the backend.

export type { CompatBackend, RerankRequest, RerankResult } from "./backend.js";
export { openaiRoutes } from "./openai/routes.js";
export { anthropicRoutes } from "./anthropic/routes.js";
export { rerankHandler, RerankUnsupportedError } from "./rerank.js";
export { translateChatRequest } from "./openai/chat-request.js";
export { translateMessagesRequest } from "./anthropic/request.js";
