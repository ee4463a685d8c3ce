// Writer and hasher threads (disk-worker.ts) kept between downloads: starting a pair takes about
// 100 ms here, 7% of a 1 GiB loopback pull, and a model pull or a server's next pull can reuse it.
// An idle pair (with the slabs it keeps) ends after a minute and never keeps the process alive.

import { Worker } from "node:worker_threads";
import type { DiskWorkerData } from "./disk-worker.js";

export interface DiskThreads {
  writer: Worker;
  hasher: Worker;
  /** Shared slabs kept with the pair between downloads. */
  slabs: Buffer[];
}

const IDLE_MS = 60_000;
const idle: { threads: DiskThreads; timer: NodeJS.Timeout }[] = [];
const ended = new WeakSet<Worker>();

function spawn(role: DiskWorkerData["role"]): Worker {
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  const w = new Worker(new URL(`./disk-worker${ext}`, import.meta.url), { workerData: { role } satisfies DiskWorkerData });
  // A thread that fails outside a request (it cannot be reused then) must not crash the process.
  w.on("error", () => {});
  w.once("exit", () => ended.add(w));
  return w;
}

/** A pair for one download: an idle one if any, else new threads (still starting up). */
export function takeThreads(): DiskThreads {
  let kept = idle.pop();
  while (kept && (ended.has(kept.threads.writer) || ended.has(kept.threads.hasher))) {
    clearTimeout(kept.timer);
    void endThreads(kept.threads);
    kept = idle.pop();
  }
  if (!kept) return { writer: spawn("writer"), hasher: spawn("hasher"), slabs: [] };
  clearTimeout(kept.timer);
  kept.threads.writer.ref();
  kept.threads.hasher.ref();
  return kept.threads;
}

/** Keeps a pair whose every request was answered; any other pair must be `endThreads`ed instead. */
export function keepThreads(threads: DiskThreads): void {
  threads.writer.unref();
  threads.hasher.unref();
  const timer = setTimeout(() => {
    idle.splice(
      idle.findIndex((k) => k.threads === threads),
      1,
    );
    void endThreads(threads);
  }, IDLE_MS);
  timer.unref();
  idle.push({ threads, timer });
}

export async function endThreads(threads: DiskThreads): Promise<void> {
  await Promise.all([threads.writer.terminate(), threads.hasher.terminate()]);
}

/** Pairs kept for reuse (for tests). */
export function idleThreads(): number {
  return idle.length;
}
