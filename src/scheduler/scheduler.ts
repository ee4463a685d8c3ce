// Owns loaded runners (ollama-spec §10): loads on demand, one runner per model key, one request at a
// time per model, a bounded FIFO of waiting requests, keep-alive timers, LRU eviction by count and by
// memory, and recovery from crashed runners. Loads are serialized.

import type { CreateRunner, LoadOptions, MemoryUse, Runner } from "../runner/index.js";
import { humanBytes } from "../util/bytes.js";
import { FOREVER_MS } from "../util/duration.js";
import { CanceledError, InsufficientMemoryError, QueueFullError } from "../util/errors.js";

export interface SchedulerOptions {
  createRunner: CreateRunner;
  /** Cheap, no-load estimate of what `opts` needs (runner/engine's estimateMemory). */
  estimateMemory: (opts: LoadOptions) => Promise<MemoryUse>;
  maxLoadedModels: number;
  maxQueue: number;
  defaultKeepAliveMs: number;
  /** Bytes of RAM free right now (what loaded runners use is already taken out). */
  availableMemory: () => number;
}

export interface AcquireRequest {
  /** Identifies the model (e.g. its weights path); one runner per key. */
  key: string;
  load: LoadOptions;
  /** Keep-alive after this request; undefined keeps the model's current one (or the default). */
  keepAliveMs?: number;
  meta?: unknown;
  signal?: AbortSignal;
}

export interface Lease {
  runner: Runner;
  /** Time spent loading the model for this request (0 when it was already loaded). */
  loadDurationNs: number;
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
  busy: boolean;
  keepAliveMs: number;
  timer?: NodeJS.Timeout;
  expiresAt: Date;
  lastUsed: number;
  expireWhenIdle: boolean;
  pendingLoadNs: number;
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
    if (entry?.runner && !entry.busy && entry.loadKey === loadKey && noOneAhead) return Promise.resolve(this.grant(entry, req));
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
    if (entry.runner && !entry.busy) await this.unload(entry);
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
        if (!entry.runner || entry.busy) continue;
        this.waiting.splice(i--, 1);
        w.cleanup();
        w.resolve(this.grant(entry, w.req));
        continue;
      }
      if (this.loadingKey !== undefined) continue;
      if (entry) {
        // Different load options: reload once the current runner is idle.
        if (!entry.runner || entry.busy) continue;
        void this.unload(entry);
      }
      this.startLoad(w);
    }
  }

  private grant(entry: Entry, req: AcquireRequest): Lease {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.busy = true;
    entry.lastUsed = ++this.clock;
    if (req.keepAliveMs !== undefined) entry.keepAliveMs = req.keepAliveMs;
    if (req.meta !== undefined) entry.meta = req.meta;
    const loadDurationNs = entry.pendingLoadNs;
    entry.pendingLoadNs = 0;
    const runner = entry.runner!;
    let done = false;
    return {
      runner,
      loadDurationNs,
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
    entry.busy = false;
    entry.lastUsed = ++this.clock;
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
      } else if (!entry.busy) void this.unload(entry).then(() => this.pump());
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
      busy: false,
      keepAliveMs: w.req.keepAliveMs ?? this.opts.defaultKeepAliveMs,
      expiresAt: new Date(),
      lastUsed: ++this.clock,
      expireWhenIdle: false,
      pendingLoadNs: 0,
    };
    this.entries.set(key, entry);
    this.loadingKey = key;
    const started = process.hrtime.bigint();
    this.load(entry)
      .then((runner) => {
        entry.runner = runner;
        entry.pendingLoadNs = Number(process.hrtime.bigint() - started);
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

  /** Makes room (LRU eviction by count and memory), then creates the runner. */
  private async load(entry: Entry): Promise<Runner> {
    entry.estimate = await this.opts.estimateMemory(entry.load);
    const need = entry.estimate.ram;
    for (;;) {
      const others = [...this.entries.values()].filter((e) => e !== entry && e.runner);
      const free = this.opts.availableMemory();
      if (others.length < this.opts.maxLoadedModels && need <= free) break;
      const reclaimable = others.reduce((n, e) => n + (e.runner?.memory.ram ?? 0), 0);
      if (need > free + reclaimable)
        throw new InsufficientMemoryError(
          `model requires more system memory (${humanBytes(need)}) than is available (${humanBytes(free + reclaimable)})`,
        );
      const idle = others.filter((e) => !e.busy).sort((a, b) => a.lastUsed - b.lastUsed);
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
