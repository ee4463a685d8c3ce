// The engine seam. Everything above `runner/` talks to a loaded model through `Runner` (types.ts).
//   createEngineRunner(opts, signal?) → Promise<Runner> — llama.cpp through herd's binding (native/), a child
//                                                          process per model, parallel slots batched together
//   engineRunners(estimate, { spare?, onLog?, loadTimeoutMs? }) → CreateRunner     — the same, memory from the caller's (cached) estimate,
//                                                          the child from `spare` (a SpareChild over forkChild)
//   estimateMemory(opts, inUse?, { headers?, devices? }) → Promise<MemoryUse> — the GPU fit's RAM/VRAM split
//                                                          (header only; beside the models `inUse`)
//   headerCache(max)                                     — the caller's bounded cache for estimateMemory
//   probeGpus(spare, { onError? }) → Promise<GpuDevice[]> — the GPUs a load would find, asked of the spare child
//   EngineRunner — the class behind createEngineRunner (pid, threads; for tests and diagnostics)
//   fitPrompt(tokens, opts), PROMPT_TOO_LONG            — Ollama's prompt truncation (§11.4)
//   StopMatcher                                          — stop strings across token boundaries
//   resolveThreads(numThread, cpu?) → ThreadCounts       — thread policy: physical (performance) cores
//   formatToGbnf(format), SchemaGrammarError             — Ollama's `format` as a GBNF grammar (grammar/)
//   kvCacheSettings(flashAttention?, type) → KvCacheSettings — OLLAMA_FLASH_ATTENTION / OLLAMA_KV_CACHE_TYPE resolved
// Fakes for tests live in `runner/testing/`, with the contract suite every Runner passes (`runner/testing/contract.ts`).
export type * from "./types.js";
export {
  createEngineRunner,
  engineRunners,
  estimateMemory,
  EngineRunner,
  forkChild,
  headerCache,
  probeGpus,
  SpareChild,
  type GpuDevice,
  type HeaderCache,
} from "./engine/index.js";
export { fitPrompt, keptPrefix, PROMPT_TOO_LONG, type FitOptions } from "./prompt-fit.js";
export { StopMatcher, type StopStep } from "./stop-matcher.js";
export { cpuTopology, defaultThreads, resolveThreads, type CpuTopology, type ThreadCounts } from "./threads.js";
export { formatToGbnf, SchemaGrammarError } from "./grammar/index.js";
export { kvCacheSettings, type FlashAttention, type KvCacheSettings, type KvCacheType } from "./kv-cache.js";
