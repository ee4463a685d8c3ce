// The engine seam. Everything above `runner/` talks to a loaded model through `Runner` (types.ts).
//   createLlamaRunner(opts, signal?) → Promise<Runner>  — node-llama-cpp in a child process per model
//   estimateMemory(opts) → Promise<MemoryUse>           — RAM/VRAM for weights + context, header only
//   LlamaRunner — the class behind createLlamaRunner (pid, threads; for tests and diagnostics)
//   fitPrompt(tokens, opts), PROMPT_TOO_LONG            — Ollama's prompt truncation (§11.4)
//   StopMatcher                                          — stop strings across token boundaries
//   DEFAULT_THREADS, resolveThreads(numThread)           — thread policy (measurements in threads.ts)
// Fakes for tests live in `runner/testing/`, with the contract suite every Runner passes (`runner/testing/contract.ts`).
export type * from "./types.js";
export { createLlamaRunner, estimateMemory, LlamaRunner } from "./llama/index.js";
export { fitPrompt, keptPrefix, PROMPT_TOO_LONG, type FitOptions } from "./prompt-fit.js";
export { StopMatcher, type StopStep } from "./stop-matcher.js";
export { DEFAULT_THREADS, resolveThreads } from "./threads.js";
