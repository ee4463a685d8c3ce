// Owns loaded runners (ollama-spec §10): loads on demand, one runner per model key, a bounded FIFO of
// requests waiting for a load, keep-alive timers, LRU eviction by count and by memory, and recovery from
// crashed runners. Loads are serialized. As in Ollama, a request for a loaded model goes to its runner at
// once, however many are in flight: the runner queues beyond its `numParallel` slots, and only requests
// waiting for a load count against OLLAMA_MAX_QUEUE.

import type { CreateRunner, EstimateMemory, LoadOptions, MemoryUse, Runner } from "../runner/index.js";
import { humanBytes } from "../util/bytes.js";
import { FOREVER_MS } from "../util/duration.js";
import { CanceledError, InsufficientMemoryError, QueueFullError } from "../util/errors.js";

export interface SchedulerOptions {
  createRunner: CreateRunner;
  /** Cheap, no-load plan of what `opts` needs beside the models loaded (runner/engine's estimateMemory). */
  estimateMemory: EstimateMemory;
  maxLoadedModels: number;
  maxQueue: number;
  defaultKeepAliveMs: number;
  /** Bytes of RAM free right now (what loaded runners use is already taken out). */
  availableMemory: () => number;
}

export interface AcquireRequest {
  /** Identifies the model (its weights path + adapters); one runner per key, a change of `load` reloads it. */
  key: string;
  load: LoadOptions;
  /** The request's keep_alive; undefined keeps a loaded model's current one (or the default) (§10). */
  keepAliveMs?: number;
  /** What `/api/ps` shows about the model (a RunnerMeta when loaded through inference); kept as given. */
  meta?: unknown;
  signal?: AbortSignal;
}

/** A loaded runner for one request. The request measures its own load_duration (queue + load). */
export interface Lease {
  runner: Runner;
  /** Ends the request: the model becomes idle and its keep-alive starts. Idempotent. */
  release(): void;
}

export interface LoadedModel {
  key: string;
  meta: unknown;
  load: LoadOptions;
  contextSize: number;
  memory: MemoryUse;
  expiresAt: Date;
  loading: boolean;
}

interface Entry {
  key: string;
  load: LoadOptions;
  loadKey: string;
  meta: unknown;
  runner?: Runner;
  estimate: MemoryUse;
  /** Requests handed to the runner and not yet released: the model is busy (not evictable) while > 0. */
  inFlight: number;
  keepAliveMs: number;
  timer?: NodeJS.Timeout;
  expiresAt: Date;
  lastUsed: number;
  expireWhenIdle: boolean;
}

interface Waiter {
  req: AcquireRequest;
  loadKey: string;
  resolve(lease: Lease): void;
  reject(err: Error): void;
  cleanup(): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
/** Go's MaxInt64 nanoseconds in ms: Ollama shows "forever" as now + that (year ~2318, still RFC 3339). */
const FOREVER_SPAN_MS = 9_223_372_036_854;

/** Load options as a comparable string: any difference means a reload (§10 needsReload). */
export function loadKeyOf(load: LoadOptions): string {
  const sorted = Object.keys(load)
    .sort()
    .filter((k) => load[k as keyof LoadOptions] !== undefined)
    .map((k) => [k, load[k as keyof LoadOptions]]);
  return JSON.stringify(sorted);
}

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly waiting: Waiter[] = [];
  private loadingKey: string | undefined;
  private released: Array<() => void> = [];
  private closed = false;
  /** Orders uses for LRU; Date.now() ties within a millisecond. */
  private clock = 0;

  constructor(private readonly opts: SchedulerOptions) {}

  acquire(req: AcquireRequest): Promise<Lease> {
    if (req.signal?.aborted) return Promise.reject(new CanceledError());
    const loadKey = loadKeyOf(req.load);
    const entry = this.entries.get(req.key);
    const noOneAhead = !this.waiting.some((w) => w.req.key === req.key);
    if (entry?.runner && entry.loadKey === loadKey && noOneAhead) return Promise.resolve(this.grant(entry, req));
    // The request whose model is loading is being served, not queued (as Ollama takes it off its queue).
    const serving = this.loadingKey !== undefined && this.waiting.some((w) => w.req.key === this.loadingKey) ? 1 : 0;
    if (this.waiting.length - serving >= this.opts.maxQueue) return Promise.reject(new QueueFullError());
    return new Promise<Lease>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i !== -1) this.waiting.splice(i, 1);
        reject(new CanceledError());
        this.pump();
      };
      const waiter: Waiter = {
        req,
        loadKey,
        resolve,
        reject,
        cleanup: () => req.signal?.removeEventListener("abort", onAbort),
      };
      req.signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
      this.pump();
    });
  }

  /** Unloads `key` now, or as soon as its current request ends (Ollama's keep_alive: 0 on an empty request). */
  async expire(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.expireWhenIdle = true;
    entry.expiresAt = new Date();
    if (entry.runner && entry.inFlight === 0) await this.unload(entry);
  }

  /** Shutdown: refuses waiting requests and closes every runner. */
  async unloadAll(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) {
      w.cleanup();
      w.reject(new CanceledError());
    }
    await Promise.all([...this.entries.values()].map((e) => this.unload(e)));
  }

  ps(): LoadedModel[] {
    return [...this.entries.values()].map((e) => ({
      key: e.key,
      meta: e.meta,
      load: e.load,
      contextSize: e.runner?.contextSize ?? e.load.numCtx,
      memory: e.runner?.memory ?? e.estimate,
      expiresAt: e.expiresAt,
      loading: e.runner === undefined,
    }));
  }

  /** Grants waiting requests in FIFO order per model, and starts at most one load. */
  private pump(): void {
    if (this.closed) return;
    for (let i = 0; i < this.waiting.length; i++) {
      const w = this.waiting[i];
      if (this.waiting.slice(0, i).some((earlier) => earlier.req.key === w.req.key)) continue;
      const entry = this.entries.get(w.req.key);
      if (entry && entry.loadKey === w.loadKey) {
        if (!entry.runner) continue;
        this.waiting.splice(i--, 1);
        w.cleanup();
        w.resolve(this.grant(entry, w.req));
        continue;
      }
      if (this.loadingKey !== undefined) continue;
      if (entry) {
        // Different load options: reload once the current runner is idle.
        if (!entry.runner || entry.inFlight > 0) continue;
        void this.unload(entry);
      }
      this.startLoad(w);
    }
  }

  private grant(entry: Entry, req: AcquireRequest): Lease {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.inFlight++;
    entry.lastUsed = ++this.clock;
    if (req.keepAliveMs !== undefined) entry.keepAliveMs = req.keepAliveMs;
    if (req.meta !== undefined) entry.meta = req.meta;
    const runner = entry.runner!;
    let done = false;
    return {
      runner,
      release: () => {
        if (done) return;
        done = true;
        this.onRelease(entry, runner);
      },
    };
  }

  private onRelease(entry: Entry, runner: Runner): void {
    this.notifyReleased();
    if (this.entries.get(entry.key) !== entry || entry.runner !== runner) return this.pump();
    entry.inFlight--;
    entry.lastUsed = ++this.clock;
    // Keep-alive counts from the last request in flight finishing.
    if (entry.inFlight > 0) return this.pump();
    if (entry.expireWhenIdle || entry.keepAliveMs <= 0) {
      void this.unload(entry).then(() => this.pump());
      return;
    }
    this.armTimer(entry, entry.keepAliveMs);
    this.pump();
  }

  private armTimer(entry: Entry, ms: number): void {
    if (ms >= FOREVER_MS) {
      entry.expiresAt = new Date(Date.now() + FOREVER_SPAN_MS);
      return;
    }
    entry.expiresAt = new Date(Date.now() + ms);
    const fire = () => {
      const left = entry.expiresAt.getTime() - Date.now();
      if (left > 0) {
        entry.timer = setTimeout(fire, Math.min(left, MAX_TIMER_MS));
        entry.timer.unref();
      } else if (entry.inFlight === 0) void this.unload(entry).then(() => this.pump());
    };
    entry.timer = setTimeout(fire, Math.min(ms, MAX_TIMER_MS));
    entry.timer.unref();
  }

  private startLoad(w: Waiter): void {
    const { key, load } = w.req;
    const entry: Entry = {
      key,
      load,
      loadKey: w.loadKey,
      meta: w.req.meta,
      estimate: { ram: 0, vram: 0 },
      inFlight: 0,
      keepAliveMs: w.req.keepAliveMs ?? this.opts.defaultKeepAliveMs,
      expiresAt: new Date(),
      lastUsed: ++this.clock,
      expireWhenIdle: false,
    };
    this.entries.set(key, entry);
    this.loadingKey = key;
    this.load(entry)
      .then((runner) => {
        entry.runner = runner;
        entry.expiresAt = new Date(Date.now() + Math.min(entry.keepAliveMs, FOREVER_SPAN_MS));
        void runner.exited.then(() => this.onExit(entry, runner));
      })
      .catch((err: Error) => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
        // Everyone waiting for this exact load would fail the same way.
        for (let i = 0; i < this.waiting.length; i++) {
          const other = this.waiting[i];
          if (other.req.key === key && other.loadKey === entry.loadKey) {
            this.waiting.splice(i--, 1);
            other.cleanup();
            other.reject(err);
          }
        }
      })
      .finally(() => {
        this.loadingKey = undefined;
        this.pump();
      });
  }

  /**
   * Makes room (LRU eviction by count and memory), then creates the runner. The plan is made again after
   * each eviction: GPU memory an evicted model frees changes what stays in RAM. As in Ollama, a model the
   * GPUs would hold more of without the others loaded evicts them, least recently used first (only idle
   * ones: a busy model is not waited for to gain GPU layers).
   */
  private async load(entry: Entry): Promise<Runner> {
    for (;;) {
      const others = [...this.entries.values()].filter((e) => e !== entry && e.runner);
      const idle = others.filter((e) => e.inFlight === 0).sort((a, b) => a.lastUsed - b.lastUsed);
      entry.estimate = await this.opts.estimateMemory(entry.load, others.map((e) => e.runner!.memory));
      const need = entry.estimate.ram;
      const free = this.opts.availableMemory();
      const gpuBound = idle.length > 0 && entry.estimate.vram < (await this.opts.estimateMemory(entry.load, [])).vram;
      if (!gpuBound) {
        if (others.length < this.opts.maxLoadedModels && need <= free) break;
        const reclaimable = others.reduce((n, e) => n + (e.runner?.memory.ram ?? 0), 0);
        if (need > free + reclaimable)
          throw new InsufficientMemoryError(
            `model requires more system memory (${humanBytes(need)}) than is available (${humanBytes(free + reclaimable)})`,
          );
      }
      if (idle.length > 0) await this.unload(idle[0]);
      else await new Promise<void>((resolve) => this.released.push(resolve));
      if (this.closed) throw new CanceledError();
    }
    return this.opts.createRunner(entry.load);
  }

  private notifyReleased(): void {
    for (const r of this.released.splice(0)) r();
  }

  private async unload(entry: Entry): Promise<void> {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    if (this.entries.get(entry.key) === entry && entry.runner) this.entries.delete(entry.key);
    const runner = entry.runner;
    entry.runner = undefined;
    await runner?.close().catch(() => undefined);
    this.notifyReleased();
  }

  /** A runner that died (crash, kill) is dropped; the next request loads it again. */
  private onExit(entry: Entry, runner: Runner): void {
    if (this.entries.get(entry.key) === entry && entry.runner === runner) {
      clearTimeout(entry.timer);
      this.entries.delete(entry.key);
      entry.runner = undefined;
      this.notifyReleased();
      this.pump();
    }
  }
}
