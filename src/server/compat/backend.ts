// The seam between the compatibility translators and herd's native inference path. The lead wires
// `inference.chat()/generate()/embed()` and the model use cases behind it; tests pass a scripted fake.

import type {
  ChatRequest,
  ChatResponse,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  GenerateResponse,
  ListResponse,
  RerankRequest,
  RerankResult,
  ShowResponse,
} from "../../api/types.js";

export type { RerankRequest, RerankResult } from "../../api/types.js";

/**
 * Native operations the `/v1/*` translators call. Every stream yields native chunks in batches (those
 * ready together, as `Inference.chat`/`generate` give them; the last chunk has `done: true`,
 * `done_reason` and the metrics) and throws `HerdError` subclasses, either before the
 * first chunk or mid-stream; `statusOf(err)` gives the HTTP status.
 *
 * The translators always iterate the stream (`stream: false` is folded at the edge); the native
 * request's `stream` only mirrors what the client asked for.
 *
 * A final chat/generate chunk may carry `stop_sequence` (the stop string that ended generation) beyond
 * Ollama's wire type: the Anthropic translator reports it as `stop_reason: "stop_sequence"`.
 */
export interface CompatBackend {
  chat(req: ChatRequest, signal: AbortSignal): AsyncIterable<ChatResponse[]>;
  generate(req: GenerateRequest, signal: AbortSignal): AsyncIterable<GenerateResponse[]>;
  embed(req: EmbedRequest, signal: AbortSignal): Promise<EmbedResponse>;
  list(): Promise<ListResponse>;
  /** Throws `ModelNotFoundError` for a missing model. */
  show(model: string): Promise<ShowResponse>;
  /** Tokens of the rendered chat prompt, for Anthropic's `count_tokens`. */
  countChatTokens(req: ChatRequest, signal: AbortSignal): Promise<number>;
  /** Optional: absent means reranking answers 501. */
  rerank?(req: RerankRequest, signal: AbortSignal): Promise<RerankResult[]>;
}

/** The stop string a final chunk may report (see above). */
export function stopSequenceOf(chunk: object): string | undefined {
  const value = (chunk as { stop_sequence?: unknown }).stop_sequence;
  return typeof value === "string" && value !== "" ? value : undefined;
}
