// The scheduler as inference uses it. Declared structurally so tests can pass a double;
// `scheduler/`'s Scheduler satisfies it.

import type { ModelDetails } from "../api/types.js";
import type { MemoryUse } from "../runner/types.js";
import type { AcquireRequest, Lease } from "../scheduler/index.js";

/** What `/api/ps` shows about a loaded model; passed to the scheduler at acquire time. */
export interface RunnerMeta {
  name: string;
  model: string;
  digest: string;
  details: ModelDetails;
}

export type { AcquireRequest, Lease } from "../scheduler/index.js";

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
