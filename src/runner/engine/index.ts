// herd's engine: llama.cpp through the native binding (../native), one child process per loaded model.
//   createEngineRunner(opts, signal?) → Promise<Runner>  — forks child.ts (runner.ts is the parent side)
//   engineRunners(estimate, { spare?, onLog?, loadTimeoutMs? }) → CreateRunner    — the same, memory from the caller's (cached) estimate,
//                    the child from `spare` when one waits
//   SpareChild(forkChild) — one engine child started ahead of the next load (fill / take / close)
//   EngineRunner — the class behind it (pid, threads; for tests and diagnostics)
//   estimateMemory(opts, inUse?, { headers?, devices? }) → Promise<MemoryUse> — the RAM/VRAM split the GPU fit
//                    gives on `devices` less what `inUse` holds (header only; CPU placement without devices)
//   probeGpus(spare, { onError? }) → Promise<GpuDevice[]> — the GPUs a load would find, asked of the spare child
//   fitModel(shape, devices, opts) → Placement             — the offload policy (layers, split, RAM/VRAM)
export { createEngineRunner, EngineRunner, engineRunners, forkChild } from "./runner.js";
export { SpareChild } from "./spare.js";
export { mergeTokens } from "./chunk-batcher.js";
export { estimateMemory, headerCache, type HeaderCache } from "./estimate.js";
export { probeGpus } from "./devices.js";
export { fitModel, type GpuDevice, type Placement } from "./fit.js";
