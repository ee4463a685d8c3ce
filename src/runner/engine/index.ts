// herd's engine: llama.cpp through the native binding (../native), one child process per loaded model.
//   createEngineRunner(opts, signal?) → Promise<Runner>  — forks child.ts (runner.ts is the parent side)
//   engineRunners(estimate) → CreateRunner               — the same, memory from the caller's (cached) estimate
//   EngineRunner — the class behind it (pid, threads; for tests and diagnostics)
//   estimateMemory(opts, headers?) → Promise<MemoryUse>  — RAM/VRAM for weights + KV + buffers, header only
export { createEngineRunner, EngineRunner, engineRunners, mergeTokens } from "./runner.js";
export { estimateMemory, headerCache, type HeaderCache } from "./estimate.js";
