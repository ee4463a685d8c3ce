// Wire types of Ollama's native REST API (ollama-spec §1, §16). Field order in these interfaces
// follows Go's struct order, which is the order clients see on the wire.
// This module imports no herd code: the CLI and tests share it with the server.

export type Think = boolean | "low" | "medium" | "high" | "max";

/** `keep_alive`: number = seconds, string = Go duration ("5m", "-1m"). */
export type KeepAlive = number | string;

export interface ToolCallFunction {
  index?: number;
  name: string;
  arguments: Record<string, unknown>;
}

export interface ToolCall {
  id?: string;
  function: ToolCallFunction;
}

export interface ToolProperty {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  items?: unknown;
  properties?: Record<string, ToolProperty>;
  required?: string[];
  anyOf?: ToolProperty[];
  [key: string]: unknown;
}

export interface Tool {
  type: string;
  items?: unknown;
  function: {
    name: string;
    description?: string;
    parameters?: {
      type?: string;
      $defs?: unknown;
      items?: unknown;
      required?: string[];
      properties?: Record<string, ToolProperty>;
      [key: string]: unknown;
    };
  };
}

export interface Message {
  role: string;
  content: string;
  thinking?: string;
  images?: string[];
  tool_calls?: ToolCall[];
  tool_name?: string;
  tool_call_id?: string;
}

/** Request `options` (§1.4). Unknown keys are accepted on the wire and warned about. */
export interface Options {
  num_ctx?: number;
  num_batch?: number;
  num_gpu?: number;
  main_gpu?: number;
  use_mmap?: boolean;
  num_thread?: number;
  num_keep?: number;
  seed?: number;
  num_predict?: number;
  top_k?: number;
  top_p?: number;
  min_p?: number;
  typical_p?: number;
  repeat_last_n?: number;
  temperature?: number;
  repeat_penalty?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  stop?: string[];
  [key: string]: unknown;
}

export type Format = "json" | "" | Record<string, unknown> | null;

export interface GenerateRequest {
  model: string;
  prompt?: string;
  suffix?: string;
  system?: string;
  template?: string;
  context?: number[];
  stream?: boolean;
  raw?: boolean;
  format?: Format;
  keep_alive?: KeepAlive;
  images?: string[];
  options?: Options;
  think?: Think;
  truncate?: boolean;
  shift?: boolean;
  logprobs?: boolean;
  top_logprobs?: number;
  _debug_render_only?: boolean;
}

export interface ChatRequest {
  model: string;
  messages?: Message[];
  stream?: boolean;
  format?: Format;
  keep_alive?: KeepAlive;
  tools?: Tool[];
  options?: Options;
  think?: Think;
  truncate?: boolean;
  shift?: boolean;
  logprobs?: boolean;
  top_logprobs?: number;
  _debug_render_only?: boolean;
}

export interface Metrics {
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

export type DoneReason = "stop" | "length" | "load" | "unload" | "";

export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes?: number[];
}
export interface Logprob extends TokenLogprob {
  top_logprobs?: TokenLogprob[];
}

export interface GenerateResponse extends Metrics {
  model: string;
  created_at: string;
  response: string;
  thinking?: string;
  done: boolean;
  done_reason?: DoneReason;
  context?: number[];
  tool_calls?: ToolCall[];
  _debug_info?: { rendered_template: string; image_count: number };
  logprobs?: Logprob[];
}

export interface ChatResponse extends Metrics {
  model: string;
  created_at: string;
  message: Message;
  done: boolean;
  done_reason?: DoneReason;
  _debug_info?: { rendered_template: string; image_count: number };
  logprobs?: Logprob[];
}

export interface ProgressResponse {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

export interface ModelDetails {
  parent_model: string;
  format: string;
  family: string;
  families: string[] | null;
  parameter_size: string;
  quantization_level: string;
  context_length?: number;
  embedding_length?: number;
}

export interface ListModelResponse {
  name: string;
  model: string;
  modified_at: string;
  size: number;
  digest: string;
  details: ModelDetails;
  capabilities?: string[];
}

export interface ListResponse {
  models: ListModelResponse[];
}

export interface ProcessModelResponse {
  name: string;
  model: string;
  size: number;
  digest: string;
  details: ModelDetails;
  expires_at: string;
  size_vram: number;
  context_length: number;
}

export interface ProcessResponse {
  models: ProcessModelResponse[];
}

export interface ShowRequest {
  model?: string;
  name?: string;
  system?: string;
  template?: string;
  verbose?: boolean;
  options?: Record<string, unknown>;
}

export interface ShowResponse {
  license?: string;
  modelfile?: string;
  parameters?: string;
  template?: string;
  system?: string;
  details: ModelDetails;
  messages?: Message[];
  model_info: Record<string, unknown>;
  projector_info?: Record<string, unknown>;
  tensors?: { name: string; type: string; shape: number[] }[];
  capabilities: string[];
  modified_at: string;
  requires?: string;
}

export interface CreateRequest {
  model?: string;
  name?: string;
  from?: string;
  files?: Record<string, string>;
  adapters?: Record<string, string>;
  template?: string;
  license?: string | string[];
  system?: string;
  parameters?: Record<string, unknown>;
  messages?: Message[];
  quantize?: string;
  requires?: string;
  stream?: boolean;
}

export interface CopyRequest {
  source: string;
  destination: string;
}

export interface DeleteRequest {
  model?: string;
  name?: string;
}

export interface PullRequest {
  model?: string;
  name?: string;
  insecure?: boolean;
  stream?: boolean;
}

export type PushRequest = PullRequest;

export interface EmbedRequest {
  model: string;
  input?: string | string[];
  truncate?: boolean;
  dimensions?: number;
  keep_alive?: KeepAlive;
  options?: Options;
}

/** `/api/rerank` and `/v1/rerank` (beyond Ollama, ollama-spec §15): the request as herd runs it. */
export interface RerankRequest {
  model: string;
  query: string;
  documents: string[];
  top_n?: number;
  keep_alive?: KeepAlive;
  options?: Options;
}

/** One ranked document: its index in the request, its score, and its text when asked for. */
export interface RerankResult {
  index: number;
  relevance_score: number;
  document?: { text: string };
}

export interface EmbedResponse {
  model: string;
  embeddings: number[][];
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
}

export interface EmbeddingRequest {
  model: string;
  prompt?: string;
  keep_alive?: KeepAlive;
  options?: Options;
}

export interface EmbeddingResponse {
  embedding: number[];
}

export interface VersionResponse {
  version: string;
}

export interface ErrorResponse {
  error: string;
}
