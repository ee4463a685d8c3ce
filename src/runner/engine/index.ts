// herd's engine: llama.cpp through the native binding (../native), one child process per loaded model.
//   createEngineRunner(opts, signal?) → Promise<Runner>  — forks child.ts (runner.ts is the parent side)
//   EngineRunner — the class behind it (pid, threads; for tests and diagnostics)
//   estimateMemory(opts) → Promise<MemoryUse>            — RAM/VRAM for weights + KV + buffers, header only
export { createEngineRunner, EngineRunner, mergeTokens } from "./runner.js";
export { estimateMemory } from "./estimate.js";
