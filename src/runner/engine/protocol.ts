// Typed IPC between the parent (`runner.ts`) and the child process (`child.ts`).
// Every request carries an `id`; the child answers with exactly one `result`/`error` for it, and a
// completion additionally streams `chunk` messages before its final `result`.

import type { KvCacheType } from "../kv-cache.js";
import type { NativeDevice } from "../native/index.js";
import type { CompletionChunk, CompletionRequest, LoadOptions, MemoryUse } from "../types.js";

export interface LoadedInfo {
  contextSize: number;
  trainedContext: number;
  threads: number;
  /** The GPU package in use ("cuda", "vulkan", "metal") or false for CPU. */
  gpu: string | false;
  /** The CPU backend library chosen, for the next child. */
  cpuBackend?: string;
  /** The RAM/VRAM split the child fitted on its GPUs; absent without a GPU (the parent estimates then). */
  memory?: MemoryUse;
  /** The KV cache type the generation context got (a quantized one may give way to f16); none for embeddings. */
  kvCacheType?: KvCacheType;
}

/** A completion request as it crosses the process boundary (no AbortSignal; aborts are messages). */
export type WireCompletion = Omit<CompletionRequest, "signal">;

export type ParentMessage =
  /** `cpuBackend`: the CPU backend library an earlier child chose, loaded alone instead of scoring every variant. */
  | { type: "load"; id: number; options: LoadOptions; cpuBackend?: string }
  | { type: "tokenize"; id: number; text: string; addSpecial: boolean; parseSpecial: boolean }
  | { type: "detokenize"; id: number; tokens: number[] }
  | { type: "complete"; id: number; request: WireCompletion }
  | { type: "embed"; id: number; inputs: string[]; truncate: boolean }
  | { type: "rank"; id: number; query: string; documents: string[] }
  | { type: "abort"; id: number }
  | { type: "close"; id: number }
  /** The GPUs of the libraries this process loads (the server's hardware probe, asked of its spare child). */
  | { type: "probe"; id: number };

/** The child's answer to `probe`: its GPUs and the library package it loaded ("" CPU, "cuda", …). */
export interface ProbeResult {
  devices: NativeDevice[];
  variant: string;
}

/** Errors keep their class name so the parent can rebuild the herd error class. */
export interface WireError {
  name: string;
  message: string;
}

export type ChildMessage =
  | { type: "ready" }
  | { type: "result"; id: number; value: unknown }
  | { type: "error"; id: number; error: WireError }
  | { type: "chunks"; id: number; chunks: CompletionChunk[] }
  | { type: "log"; level: "warn" | "error"; message: string; fields?: Record<string, number | string> }
  /** Load progress (0..1), as llama.cpp reports it while reading the weights. */
  | { type: "progress"; value: number };
