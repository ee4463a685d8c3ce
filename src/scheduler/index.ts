// The scheduler: owns loaded runners through a factory passed in (ollama-spec §10).
//   new Scheduler({ createRunner, estimateMemory, maxLoadedModels, maxQueue, defaultKeepAliveMs, availableMemory })
//   .acquire({ key, load, keepAliveMs?, meta?, signal? }) → Promise<Lease { runner, release() }>
//       loads on demand (a change of load options reloads), one request per model at a time, FIFO;
//       QueueFullError past maxQueue waiting requests; CanceledError when `signal` aborts while waiting;
//       InsufficientMemoryError when the model cannot fit even after evicting everything
//   .expire(key) → unload now, or when its request ends     .unloadAll() → shutdown
//   .ps() → LoadedModel[] { key, meta, load, contextSize, memory, expiresAt, loading } for /api/ps
//   loadKeyOf(load) → the string two LoadOptions must share to reuse a runner
export { Scheduler, loadKeyOf, type AcquireRequest, type Lease, type LoadedModel, type SchedulerOptions } from "./scheduler.js";
