// herd's engine: llama.cpp through the native binding (../native), one child process per loaded model.
//   createEngineRunner(opts, signal?) → Promise<Runner>  — forks child.ts (runner.ts is the parent side)
//   engineRunners(estimate) → CreateRunner               — the same, memory from the caller's (cached) estimate
//   EngineRunner — the class behind it (pid, threads; for tests and diagnostics)
//   estimateMemory(opts, inUse?, { headers?, devices? }) → Promise<MemoryUse> — the RAM/VRAM split the GPU fit
//                    gives on `devices` less what `inUse` holds (header only; CPU placement without devices)
//   probeGpus({ onError? }) → Promise<GpuDevice[]>        — the GPUs a load would find (a probe child)
//   fitModel(shape, devices, opts) → Placement             — the offload policy (layers, split, RAM/VRAM)
export { createEngineRunner, EngineRunner, engineRunners, mergeTokens } from "./runner.js";
export { estimateMemory, headerCache, type HeaderCache } from "./estimate.js";
export { probeGpus } from "./devices.js";
export { fitModel, type GpuDevice, type Placement } from "./fit.js";
