// The sha256 of a blob being downloaded in parallel parts, computed while it downloads: the hash
// follows the contiguous prefix of written bytes (blob-sink.ts, on a disk thread for large blobs), so
// verification costs little after the last byte lands. When the pull is fast (over 300 MB/s:
// loopback, LAN) or every core is busy, parts beyond the frontier hold back while too much is written
// but not yet hashed, so the frontier gets the CPU and the disk and hashing keeps pace; on a slower,
// network-bound pull nothing waits (more connections are what make it fast).

import type { FileHandle } from "node:fs/promises";
import { cpus } from "node:os";
import { type BlobSink, openSink, type SinkPart } from "./blob-sink.js";

export type HashedPart = SinkPart;

/** How often the download's rate (and the machine's idle time) is sampled. */
const SAMPLE_MS = 200;
/** Bytes per slab: the socket reads straight into these. */
const SLAB = 2 << 20;
/** Slabs per download: 16 MiB between the socket and the disk (6 to 16 measured the same on loopback). */
const POOL = 8;
/** Written-but-unhashed bytes above which parts beyond the frontier wait (CPU-bound pulls only). */
const BACKLOG = 64 << 20;
/** Share of idle CPU time (all cores) under which the machine counts as CPU-bound. */
const IDLE = 0.15;
/**
 * Download rate (bytes/s) of a fast link (loopback, LAN): the frontier goes first anyway, since
 * hashing the whole blob after the download would add over a quarter of its time, and more
 * connections would not make it faster.
 */
export const FAST_LINK = 300e6;

function cpuTimes(): { idle: number; all: number } {
  let idle = 0;
  let all = 0;
  for (const c of cpus()) {
    idle += c.times.idle;
    all += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
  }
  return { idle, all };
}

export class PrefixHasher {
  private readonly sink: BlobSink;
  private readonly slabSize: number;
  private frontier = 0;
  private waiters: (() => void)[] = [];
  // Until the first sample, assume a fast source: the frontier starts ahead either way.
  private busy = true;
  private cpu = cpuTimes();
  private sampled: { at: number; bytes: number };
  private readonly sampler: NodeJS.Timeout;

  /**
   * `parts` tile the blob open as `fh` in offset order; their `Completed` counts bytes already on
   * disk. `onRate` gets the download rate (bytes/s) every sample: the one measure of the link.
   */
  constructor(
    fh: FileHandle,
    private readonly parts: HashedPart[],
    private readonly total: number,
    onRate: (bytesPerSecond: number) => void = () => {},
  ) {
    this.sink = openSink(fh, parts, total, () => this.wake());
    // A small blob gets small slabs.
    this.slabSize = Math.min(SLAB, Math.max(64 << 10, total));
    this.sampled = { at: Date.now(), bytes: this.completed() };
    this.sampler = setInterval(() => {
      // Every core busy: more connections cannot go faster, so the frontier may as well go first.
      const now = cpuTimes();
      const all = now.all - this.cpu.all;
      const sample = { at: Date.now(), bytes: this.completed() };
      const rate = ((sample.bytes - this.sampled.bytes) * 1000) / Math.max(1, sample.at - this.sampled.at);
      this.busy = (all > 0 && (now.idle - this.cpu.idle) / all < IDLE) || rate > FAST_LINK;
      this.cpu = now;
      this.sampled = sample;
      if (!this.busy) this.wake();
      onRate(rate);
    }, SAMPLE_MS);
    this.sampler.unref();
  }

  private completed(): number {
    let done = 0;
    for (const p of this.parts) done += p.Completed;
    return done;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  // One pool of slabs for every part: allocating them as parts start cost more than the whole
  // socket path (V8 counts each SharedArrayBuffer as external memory and collects garbage for it).
  private pool?: Buffer[];

  /** A buffer for the socket to fill and hand to `write`; the pool grows rather than fail. */
  slab(): Buffer {
    this.pool ??= this.sink.slabs(Math.min(POOL, Math.ceil(this.total / this.slabSize) + 1), this.slabSize);
    return this.pool.pop() ?? this.sink.slabs(1, this.slabSize)[0];
  }

  /** Whether the pool is empty: the socket should pause until a slab comes back (see `wait`). */
  starved(): boolean {
    return this.pool !== undefined && this.pool.length === 0;
  }

  /** Gives back a slab from `slab` or `write` once it is no longer filled. */
  release(buf: Buffer): void {
    this.pool!.push(buf);
    this.wake();
  }

  /**
   * Writes `buf[0, len)` at `part`'s end and advances its Completed (writes of one part settle in
   * order); resolves once written. `buf` returns to the pool once hashed too.
   */
  write(part: HashedPart, buf: Buffer, len: number): Promise<void> {
    return this.sink.write(part, buf, len, (back) => this.release(back));
  }

  /** Whether `part` should hold back for now: it is past the frontier and hashing lags too far. */
  shouldWait(part: HashedPart): boolean {
    if (!this.busy) return false;
    const ps = this.parts;
    while (this.frontier < ps.length - 1 && ps[this.frontier].Completed >= ps[this.frontier].Size) this.frontier++;
    if (part.Offset <= ps[this.frontier].Offset) return false;
    return this.completed() - this.sink.hashed() > BACKLOG;
  }

  /**
   * Resolves when something a paused socket waits for may have changed — hashing advanced, a slab
   * came back, the pull stopped being CPU-bound — or `signal` aborts; the caller checks again.
   */
  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
      this.waiters.push(done);
    });
  }

  /** `sha256:<hex>` once every part is written. */
  digest(): Promise<string> {
    return this.sink.digest();
  }

  /** Stops; resolves once the blob's file is no longer used for the download. */
  async close(): Promise<void> {
    clearInterval(this.sampler);
    this.wake();
    await this.sink.close(this.pool);
  }
}
