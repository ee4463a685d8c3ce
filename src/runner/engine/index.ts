// herd's own engine: llama.cpp through the native binding (../native), one child process per loaded model.
//   createEngineRunner(opts, signal?) → Promise<Runner>  — forks child.ts; the parent side and IPC protocol are
//                                                          shared with ../llama (LlamaRunner)
import { childEntry, LlamaRunner } from "../llama/llama-runner.js";
import type { LoadOptions, Runner } from "../types.js";

export function createEngineRunner(opts: LoadOptions, signal?: AbortSignal): Promise<Runner> {
  return LlamaRunner.create(opts, signal, childEntry(import.meta.url, "./child"));
}

/** Same as createEngineRunner, typed as the class (pid, threads) for tests and diagnostics. */
export function createEngineRunnerClass(opts: LoadOptions, signal?: AbortSignal): Promise<LlamaRunner> {
  return LlamaRunner.create(opts, signal, childEntry(import.meta.url, "./child"));
}
