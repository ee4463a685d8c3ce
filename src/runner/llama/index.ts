// node-llama-cpp behind the Runner seam; the only place that package is imported.
//   createLlamaRunner(opts, signal?) → Promise<Runner>  — forks child.ts (one process per model)
//   LlamaRunner — the class (pid, threads) for tests and diagnostics
//   estimateMemory(opts) → Promise<MemoryUse>           — GgufInsights estimate, no weights loaded
export { createLlamaRunner, LlamaRunner } from "./llama-runner.js";
export { estimateMemory } from "./estimate.js";
