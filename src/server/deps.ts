// What the HTTP edge needs from the layers below, as interfaces: the app is built from parameters
// (`createApp(deps)`), so tests can pass fakes and the entry point passes the real services.

import type {
  ChatRequest,
  ChatResponse,
  EmbeddingRequest,
  EmbeddingResponse,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  GenerateResponse,
  ListResponse,
  ProcessResponse,
  ProgressResponse,
  ShowResponse,
} from "../api/types.js";
import type { Store } from "../store/index.js";
import type { RerankRequest, RerankResult } from "./compat/index.js";

export type OnProgress = (p: ProgressResponse) => void;

export interface ModelService {
  list(): Promise<ListResponse>;
  show(name: string, opts?: { verbose?: boolean; system?: string; options?: Record<string, unknown> }): Promise<ShowResponse>;
  copy(source: string, destination: string): Promise<void>;
  delete(name: string): Promise<void>;
  validateCreate(name: string, req: Record<string, unknown>): Promise<void>;
  create(name: string, req: Record<string, unknown>, onProgress: OnProgress, signal?: AbortSignal): Promise<void>;
  validatePull(name: string, insecure: boolean): Promise<void>;
  pull(name: string, opts: { insecure?: boolean; signal: AbortSignal }, onProgress: OnProgress): Promise<void>;
  push(name: string, opts: { insecure?: boolean; signal: AbortSignal }, onProgress: OnProgress): Promise<void>;
}

export interface InferenceService {
  /** Batches of responses, the lines ready together (see Inference.generate). */
  generate(req: GenerateRequest, signal: AbortSignal): AsyncIterable<GenerateResponse[]>;
  chat(req: ChatRequest, signal: AbortSignal): AsyncIterable<ChatResponse[]>;
  embed(req: EmbedRequest, signal: AbortSignal): Promise<EmbedResponse>;
  embeddings(req: EmbeddingRequest, signal: AbortSignal): Promise<EmbeddingResponse>;
  countChatTokens(req: ChatRequest, signal: AbortSignal): Promise<number>;
  rerank(req: RerankRequest, signal: AbortSignal): Promise<RerankResult[]>;
  ps(): Promise<ProcessResponse>;
  unload(name: string): Promise<void>;
}

export interface AppDeps {
  store: Store;
  models: ModelService;
  inference: InferenceService;
  origins: string[];
  boundToLoopback: boolean;
  version: string;
}
