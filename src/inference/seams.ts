// The scheduler as inference uses it. Declared structurally so tests can pass a double;
// `scheduler/`'s Scheduler satisfies it.

import type { ModelDetails } from "../api/types.js";
import type { LoadOptions, MemoryUse, Runner } from "../runner/types.js";

/** What `/api/ps` shows about a loaded model; passed to the scheduler at acquire time. */
export interface RunnerMeta {
  name: string;
  model: string;
  digest: string;
  details: ModelDetails;
}

export interface AcquireRequest {
  /** One runner per key (the weights path + adapters); a change of `load` reloads it. */
  key: string;
  load: LoadOptions;
  /** The request's keep_alive; undefined keeps a loaded model's current one (or the default). */
  keepAliveMs?: number;
  meta: RunnerMeta;
  signal?: AbortSignal;
}

export interface Lease {
  runner: Runner;
  /** Time spent queued and loading, in ns. */
  loadDurationNs: number;
  /** Ends the request; starts the keep-alive timer. Idempotent. */
  release(): void;
}

export interface LoadedRunner {
  key: string;
  /** The `meta` given at acquire time (a RunnerMeta when loaded through Inference). */
  meta: unknown;
  contextSize: number;
  memory: MemoryUse;
  expiresAt: Date;
}

export interface SchedulerLike {
  acquire(req: AcquireRequest): Promise<Lease>;
  /** keep_alive 0: unload as soon as idle. */
  expire(key: string): void | Promise<void>;
  ps(): LoadedRunner[] | Promise<LoadedRunner[]>;
}
