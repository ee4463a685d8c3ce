// The sha256 of a blob being downloaded in parallel parts, computed while it downloads: the hash
// follows the contiguous prefix of written bytes, taking the frontier part's buffers straight from
// memory as they are written and reading the rest back from the page cache, so verification costs
// little after the last byte lands. When the pull is fast (over 300 MB/s: loopback, LAN) or every
// core is busy, parts beyond the frontier hold back while too much is written but not yet hashed, so
// the frontier gets the CPU and the disk and hashing keeps pace; on a slower, network-bound pull
// nothing waits (more connections are what make it fast).

import { createHash, type Hash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { cpus } from "node:os";

export interface HashedPart {
  Offset: number;
  Size: number;
  Completed: number;
}

/** Written-but-unhashed bytes above which parts beyond the frontier wait (CPU-bound pulls only). */
const BACKLOG = 64 << 20;
const READ_SIZE = 4 << 20;
const SYNC_EVERY = 64 << 20;
/** Share of idle CPU time (all cores) under which the machine counts as CPU-bound. */
const IDLE = 0.15;
/**
 * Download rate (bytes/s) above which the frontier goes first anyway: hashing the whole blob after
 * the download would add over a quarter of the download's time.
 */
const FAST = 300e6;

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
  private readonly hash: Hash = createHash("sha256");
  private hashed = 0;
  private frontier = 0;
  private running?: Promise<void>;
  private error: unknown;
  private buf?: Buffer;
  private waiters: (() => void)[] = [];
  // Until the first sample, assume a fast source: the frontier starts ahead either way.
  private busy = true;
  private closed = false;
  private cpu = cpuTimes();
  private sampled: { at: number; bytes: number };
  private readonly sampler: NodeJS.Timeout;

  /** `parts` tile the blob in offset order; their `Completed` counts bytes already on disk. */
  constructor(
    private readonly fh: FileHandle,
    private readonly parts: HashedPart[],
    private readonly total: number,
  ) {
    this.sampled = { at: Date.now(), bytes: this.completed() };
    this.sampler = setInterval(() => {
      // Every core busy: more connections cannot go faster, so the frontier may as well go first.
      const now = cpuTimes();
      const all = now.all - this.cpu.all;
      const sample = { at: Date.now(), bytes: this.completed() };
      const rate = ((sample.bytes - this.sampled.bytes) * 1000) / Math.max(1, sample.at - this.sampled.at);
      this.busy = (all > 0 && (now.idle - this.cpu.idle) / all < IDLE) || rate > FAST;
      this.cpu = now;
      this.sampled = sample;
      if (!this.busy) this.wake();
    }, 200);
    this.sampler.unref();
  }

  /** End of the contiguous run of written bytes from offset 0. */
  private written(): number {
    const ps = this.parts;
    while (this.frontier < ps.length && ps[this.frontier].Completed >= ps[this.frontier].Size) this.frontier++;
    if (this.frontier === ps.length) return this.total;
    const p = ps[this.frontier];
    return p.Offset + p.Completed;
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

  private disk: Promise<void> = Promise.resolve();
  private unsynced = 0;
  private syncing?: Promise<void>;

  /**
   * Appends `bufs` to `part` on disk and advances its Completed. Writes from all parts take turns:
   * concurrent writers to one file only contend for its inode lock.
   */
  write(part: HashedPart, bufs: Uint8Array[]): Promise<void> {
    const all = bufs.slice();
    const written = this.disk.then(async () => {
      const at = part.Offset + part.Completed;
      while (bufs.length) {
        const { bytesWritten } = await this.fh.writev(bufs, part.Offset + part.Completed);
        part.Completed += bytesWritten;
        let left = bytesWritten;
        while (bufs.length && left >= bufs[0].length) left -= bufs.shift()!.length;
        if (left) bufs[0] = bufs[0].subarray(left);
      }
      // Write-back started along the way leaves little for the fsync before the rename.
      this.unsynced += part.Offset + part.Completed - at;
      if (this.unsynced >= SYNC_EVERY && !this.syncing) {
        this.unsynced = 0;
        this.syncing = this.fh
          .datasync()
          .catch(() => {})
          .finally(() => (this.syncing = undefined));
      }
      this.offer(at, all);
    });
    this.disk = written.catch(() => {});
    return written;
  }

  /** `bufs` were just written at `offset` (and counted in their part's Completed). */
  private offer(offset: number, bufs: readonly Uint8Array[]): void {
    if (!this.running && offset === this.hashed) {
      for (const b of bufs) {
        this.hash.update(b);
        this.hashed += b.length;
      }
      this.wake();
    }
    this.kick();
  }

  private kick(): void {
    if (this.running || this.closed || this.error !== undefined || this.written() <= this.hashed) return;
    this.running = this.catchUp()
      .catch((e) => void (this.error ??= e))
      .finally(() => {
        this.running = undefined;
        this.wake();
      });
  }

  private async catchUp(): Promise<void> {
    this.buf ??= Buffer.allocUnsafe(READ_SIZE);
    for (let end = this.written(); end > this.hashed && !this.closed; end = this.written()) {
      const n = Math.min(this.buf.length, end - this.hashed);
      const { bytesRead } = await this.fh.read(this.buf, 0, n, this.hashed);
      if (bytesRead <= 0) throw new Error(`short read at ${this.hashed}`);
      this.hash.update(this.buf.subarray(0, bytesRead));
      this.hashed += bytesRead;
      this.wake();
    }
  }

  /** Whether `part` should hold back for now: it is past the frontier and hashing lags too far. */
  shouldWait(part: HashedPart): boolean {
    if (!this.busy) return false;
    this.written(); // moves the frontier past finished parts
    const frontier = this.parts[Math.min(this.frontier, this.parts.length - 1)];
    if (part.Offset <= frontier.Offset) return false;
    return this.completed() - this.hashed > BACKLOG;
  }

  /** Resolves when hashing advances, the pull stops being CPU-bound, or `signal` aborts. */
  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
      this.waiters.push(done);
      this.kick();
    });
  }

  /** `sha256:<hex>` once every part is written. */
  async digest(): Promise<string> {
    for (;;) {
      this.kick();
      if (!this.running) break;
      await this.running;
    }
    if (this.error !== undefined) throw this.error;
    if (this.hashed !== this.total) throw new Error(`hashed ${this.hashed} of ${this.total} bytes`);
    return `sha256:${this.hash.digest("hex")}`;
  }

  /** Waits for a write-back started along the way. */
  async settle(): Promise<void> {
    await this.syncing;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sampler);
    this.wake();
  }
}
