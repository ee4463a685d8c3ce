// node-llama-cpp behind the Runner seam; the only place that package is imported.
//   createLlamaRunner(opts, signal?) → Promise<Runner>  — forks child.ts (one process per model)
//   LlamaRunner — the class (pid, threads) for tests and diagnostics
//   estimateMemory(opts, headers?) → Promise<MemoryUse> — GgufInsights estimate, no weights loaded;
//       headerCache(max) the caller's bounded cache of header reads
export { createLlamaRunner, LlamaRunner } from "./llama-runner.js";
export { estimateMemory, headerCache, type HeaderCache } from "./estimate.js";
