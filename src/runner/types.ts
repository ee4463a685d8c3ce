// The engine seam: everything above `runner/` talks to a loaded model through `Runner`.
// `runner/engine/` implements it on herd's llama.cpp binding in a child process; `runner/testing/` fakes it for scheduler tests.

import type { FlashAttention, KvCacheType } from "./kv-cache.js";

/** Load-time options (ollama-spec §1.4 "load" kind). A change of any of these needs a reload. */
export interface LoadOptions {
  /** Path of the GGUF weights blob. */
  modelPath: string;
  /** LoRA adapter GGUF paths. */
  adapters?: string[];
  /** Context size in tokens (already defaulted and clamped to the trained context). */
  numCtx: number;
  numBatch?: number;
  /** Layers on GPU: -1 auto, 0 CPU only. */
  numGpu?: number;
  /** The GPU the model goes on (Ollama's main_gpu, an index among the visible devices). */
  mainGpu?: number;
  /** Bytes kept free on every GPU when fitting layers (OLLAMA_GPU_OVERHEAD, set by the server). */
  gpuOverhead?: number;
  useMmap?: boolean;
  /** 0 = herd chooses per phase. */
  numThread?: number;
  /** Load for embeddings (pooling) instead of generation. */
  embedding?: boolean;
  /**
   * Requests decoded together (OLLAMA_NUM_PARALLEL). The scheduler hands every request for a loaded model to
   * its runner at once; a runner accepts any number of concurrent `complete`/`embed`/`rank` calls and queues
   * those beyond its slots. Default 1.
   */
  numParallel?: number;
  /** Vision projector (mmproj GGUF) to load beside the model; images are accepted only with one. */
  projectorPath?: string;
  /** Context shift on overflow (Ollama's `shift`, default true). */
  shift?: boolean;
  /** OLLAMA_FLASH_ATTENTION as resolved by kv-cache.ts (set by the server); default "auto", llama.cpp's choice. */
  flashAttention?: FlashAttention;
  /** OLLAMA_KV_CACHE_TYPE as resolved by kv-cache.ts (set by the server); default f16. */
  kvCacheType?: KvCacheType;
}

/**
 * Per-request sampling and stopping (ollama-spec §1.4 "request" kind). The runner owns no defaults:
 * inference sends every field (Ollama's DefaultOptions merged with the model's and request's); a field
 * left out turns its sampler off (no temperature = greedy, no top-k/top-p/min-p/penalty, keep none).
 */
export interface SamplingOptions {
  temperature?: number;
  topK?: number;
  topP?: number;
  minP?: number;
  typicalP?: number;
  repeatLastN?: number;
  repeatPenalty?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** -1 = random. */
  seed?: number;
  /** Max tokens to generate; already bounded (never -1 here). */
  numPredict: number;
  numKeep?: number;
  /** Stop strings: matched across token boundaries, never emitted. */
  stop?: string[];
}

/** Where an image goes in a text prompt (llama.cpp mtmd's default media marker). */
export const IMAGE_MARKER = "<__media__>";

export interface CompletionRequest {
  /** Prompt as text (special tokens parsed) or as token ids. */
  prompt: string | number[];
  sampling: SamplingOptions;
  /**
   * Images (raw file bytes: PNG, JPEG, …), in prompt order: the i-th image stands where the text prompt holds
   * the i-th `IMAGE_MARKER`. Needs a runner loaded with `projectorPath`.
   */
  images?: Uint8Array[];
  /** A JSON schema object, or "json" for any JSON value, constraining the output. */
  format?: "json" | Record<string, unknown>;
  /** Refuse (instead of truncating) a prompt longer than the context. */
  truncate?: boolean;
  logprobs?: boolean;
  topLogprobs?: number;
  signal?: AbortSignal;
}

export interface Timings {
  /** Tokens in the prompt, including those served from the KV cache (Ollama counts them). */
  promptTokens: number;
  /** Of which evaluated now (not cached). */
  promptEvaluated: number;
  promptNs: number;
  evalTokens: number;
  evalNs: number;
}

/** Log-probability of one token, in Ollama's wire shape (api `Logprob`). */
export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes?: number[];
  top_logprobs?: { token: string; logprob: number; bytes?: number[] }[];
}

/** One streamed piece of output. `text` may be empty (e.g. a held-back partial stop string). */
export type CompletionChunk =
  | {
      type: "token";
      text: string;
      tokens: number[];
      /**
       * What each token of this batch added to the visible text, in order (`pieces.join("") === text`).
       * A token whose bytes are held back (an incomplete UTF-8 sequence, a possible stop string) adds ""
       * and its text arrives with a later piece. The HTTP edge writes one NDJSON line / SSE event per
       * non-empty piece, as Ollama does per token, all of a batch in one write.
       */
      pieces?: string[];
      logprobs?: TokenLogprob[];
    }
  | { type: "done"; reason: "stop" | "length"; timings: Timings; tokens: number[] };

export interface EmbedResult {
  /** One unnormalized vector per input. */
  embeddings: number[][];
  promptTokens: number;
}

export interface MemoryUse {
  /** Bytes in host RAM. */
  ram: number;
  /** Bytes in GPU memory. */
  vram: number;
  /** `vram` per GPU, by ggml device name ("CUDA0"); absent on CPU. */
  byDevice?: Record<string, number>;
}

export interface Runner {
  readonly options: LoadOptions;
  /** Context size actually in use. */
  readonly contextSize: number;
  /** Model's trained context length. */
  readonly trainedContext: number;
  readonly memory: MemoryUse;
  tokenize(text: string, opts?: { addSpecial?: boolean; parseSpecial?: boolean }): Promise<number[]>;
  detokenize(tokens: number[]): Promise<string>;
  /** Streams generated text. Abort through `req.signal` stops within a token. */
  complete(req: CompletionRequest): AsyncIterable<CompletionChunk>;
  embed(inputs: string[], opts?: { truncate?: boolean; signal?: AbortSignal }): Promise<EmbedResult>;
  /** Reranker models: relevance score of each document for the query. */
  rank?(query: string, documents: string[], signal?: AbortSignal): Promise<number[]>;
  /** Resolves when the runner process exits (crash or close). */
  readonly exited: Promise<void>;
  close(): Promise<void>;
}

export type CreateRunner = (opts: LoadOptions, signal?: AbortSignal) => Promise<Runner>;

/**
 * A no-load plan of what `opts` needs, with `inUse` the memory of the models already loaded (their VRAM is
 * not free for this one).
 */
export type EstimateMemory = (opts: LoadOptions, inUse?: readonly MemoryUse[]) => Promise<MemoryUse>;
