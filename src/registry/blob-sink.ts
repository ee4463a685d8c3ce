// Where a downloading blob's slabs go: to disk, with the sha256 of the written prefix kept along
// the way. Large blobs get a writer and a hasher thread (disk-worker.ts): on a loopback-fast pull
// the socket reads, the writes and sha256 each need about half a core or more, and one thread doing
// all three ran at about half of curl's speed (two, write and hash together, at about 0.7×). Small
// blobs stay on this thread, where starting threads (tens of ms) would cost more than it saves.

import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { type DiskThreads, endThreads, keepThreads, takeThreads } from "./disk-threads.js";
import { type HasherReply, type HasherRequest, WRITE_SIZE, type WriterReply, type WriterRequest } from "./disk-worker.js";

export interface SinkPart {
  Offset: number;
  Size: number;
  Completed: number;
}

export interface BlobSink {
  /** `count` buffers of `size` bytes for the socket to fill and hand to `write`, in one allocation. */
  slabs(count: number, size: number): Buffer[];
  /**
   * Writes `buf[0, len)` at `part`'s end (after any writes of `part` still in flight) and advances
   * its Completed, in order; resolves once it is written. `onFree` gets `buf` back once it may be
   * filled again (after hashing, which may come later); a failed write never frees its buffer.
   */
  write(part: SinkPart, buf: Buffer, len: number, onFree: (buf: Buffer) => void): Promise<void>;
  /** Bytes hashed so far (a prefix of the blob). */
  hashed(): number;
  /** `sha256:<hex>` of the whole blob, once every part is written. */
  digest(): Promise<string>;
  /** Stops; resolves once nothing uses the blob's file any more. `spare`: slabs no longer used. */
  close(spare?: Buffer[]): Promise<void>;
}

/** Slabs an idle pair of threads keeps for its next download. */
const MAX_KEPT_SLABS = 16;
/** Blobs at least this large get a writer and a hasher thread. */
export const WORKER_MIN_BYTES = 32 << 20;
const READ_SIZE = 4 << 20;

export function openSink(fh: FileHandle, parts: SinkPart[], total: number, onHashed: () => void): BlobSink {
  return total >= WORKER_MIN_BYTES ? new WorkerSink(fh.fd, parts, total, onHashed) : new InlineSink(fh, parts, total, onHashed);
}

function written(parts: readonly SinkPart[], total: number): number {
  for (const p of parts) if (p.Completed < p.Size) return p.Offset + p.Completed;
  return total;
}

interface Write {
  part: SinkPart;
  len: number;
  buf: Buffer;
  written: boolean;
  /** Hashed from memory: the slab comes back only when the hasher is done with it too. */
  hashing: boolean;
  resolve: () => void;
  reject: (e: unknown) => void;
  onFree: (b: Buffer) => void;
}

class WorkerSink implements BlobSink {
  private readonly threads: DiskThreads;
  private readonly writes = new Map<number, Write>();
  private nextId = 0;
  /** Requests each thread has not answered yet: a pair is kept for reuse only when both are 0. */
  private writerOwes = 0;
  private hasherOwes = 0;
  /** End of the bytes handed to the hasher, from slabs or as a file range. */
  private queued = 0;
  private done = 0;
  private result?: { resolve: (d: string) => void; reject: (e: unknown) => void };
  private failure?: Error;
  private broken = false;
  private readonly detach: () => void;

  constructor(
    fd: number,
    private readonly parts: SinkPart[],
    private readonly total: number,
    onHashed: () => void,
  ) {
    this.threads = takeThreads();
    const { writer, hasher } = this.threads;
    const onWriter = (m: WriterReply) => {
      this.writerOwes--;
      const w = this.writes.get(m.id);
      if (!w) return;
      if ("error" in m) return this.fail(Object.assign(new Error(m.error), { code: m.code }));
      w.part.Completed += w.len;
      w.written = true;
      w.resolve();
      this.queueFromFile();
      this.settle(m.id, w);
    };
    const onHasher = (m: HasherReply) => {
      this.hasherOwes--;
      if ("error" in m) return this.fail(new Error(`hashing: ${m.error}`));
      this.done = m.hashed;
      if ("digest" in m) return this.result?.resolve(m.digest);
      const w = this.writes.get(m.id);
      if (w) {
        w.hashing = false;
        this.settle(m.id, w);
      }
      onHashed();
    };
    const onExit = () => {
      this.broken = true;
      this.fail(new Error("the download's disk thread stopped"));
    };
    writer.on("message", onWriter);
    hasher.on("message", onHasher);
    writer.once("exit", onExit);
    hasher.once("exit", onExit);
    this.detach = () => {
      writer.off("message", onWriter);
      hasher.off("message", onHasher);
      writer.off("exit", onExit);
      hasher.off("exit", onExit);
    };
    writer.postMessage({ start: fd } satisfies WriterRequest);
    hasher.postMessage({ start: fd } satisfies HasherRequest);
    this.queueFromFile();
  }

  private toWriter(m: WriterRequest): void {
    this.writerOwes++;
    this.threads.writer.postMessage(m);
  }

  private toHasher(m: HasherRequest): void {
    this.hasherOwes++;
    this.threads.hasher.postMessage(m);
  }

  /** Written bytes never handed to the hasher (they arrived out of order) go as a file range. */
  private queueFromFile(): void {
    const end = written(this.parts, this.total);
    if (end <= this.queued) return;
    this.toHasher({ id: -1, from: this.queued, to: end });
    this.queued = end;
  }

  private settle(id: number, w: Write): void {
    if (!w.written || w.hashing) return;
    this.writes.delete(id);
    w.onFree(w.buf);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.writes.values()) w.reject(this.failure);
    this.writes.clear();
    this.result?.reject(this.failure);
  }

  slabs(count: number, size: number): Buffer[] {
    // Slabs kept from the pair's last download first: fresh ones cost a page fault per 4 KiB on
    // first touch (about 7 ms per MiB on this VM), more than a small pull's whole transfer.
    const kept = this.threads.slabs.filter((b) => b.length === size).slice(0, count);
    this.threads.slabs = this.threads.slabs.filter((b) => !kept.includes(b));
    if (kept.length === count) return kept;
    const sab = new SharedArrayBuffer((count - kept.length) * size);
    return [...kept, ...Array.from({ length: count - kept.length }, (_, i) => Buffer.from(sab, i * size, size))];
  }

  write(part: SinkPart, buf: Buffer, len: number, onFree: (buf: Buffer) => void): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!(buf.buffer instanceof SharedArrayBuffer)) throw new Error("write takes a buffer from slabs()");
    let at = part.Offset + part.Completed;
    for (const w of this.writes.values()) if (w.part === part && !w.written) at += w.len;
    const id = this.nextId++;
    const hashing = at === this.queued;
    return new Promise((resolve, reject) => {
      this.writes.set(id, { part, len, buf, written: false, hashing, resolve, reject, onFree });
      const slab = buf.buffer as SharedArrayBuffer;
      this.toWriter({ id, at, slab, offset: buf.byteOffset, len });
      if (hashing) {
        this.toHasher({ id, slab, offset: buf.byteOffset, len });
        this.queued += len;
      }
    });
  }

  hashed(): number {
    return this.done;
  }

  digest(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    this.queueFromFile();
    if (this.queued !== this.total) return Promise.reject(new Error(`hashed ${this.queued} of ${this.total} bytes`));
    return new Promise((resolve, reject) => {
      this.result = { resolve, reject };
      this.toHasher({ digest: true });
    });
  }

  async close(spare: Buffer[] = []): Promise<void> {
    this.fail(new Error("download closed"));
    this.detach();
    // A pair with requests still queued would act on them for the next download: end it instead.
    if (!this.broken && this.writerOwes === 0 && this.hasherOwes === 0) {
      this.threads.slabs.push(...spare.slice(0, MAX_KEPT_SLABS - this.threads.slabs.length));
      keepThreads(this.threads);
    } else await endThreads(this.threads);
  }
}

/** Writes one at a time through `fh` and hashes the written prefix back from the page cache. */
class InlineSink implements BlobSink {
  private readonly hash = createHash("sha256");
  private done = 0;
  private disk: Promise<unknown> = Promise.resolve();
  private failure: unknown;
  private readBuf?: Buffer;

  constructor(
    private readonly fh: FileHandle,
    private readonly parts: SinkPart[],
    private readonly total: number,
    private readonly onHashed: () => void,
  ) {}

  slabs(count: number, size: number): Buffer[] {
    const all = Buffer.allocUnsafeSlow(count * size);
    return Array.from({ length: count }, (_, i) => all.subarray(i * size, (i + 1) * size));
  }

  write(part: SinkPart, buf: Buffer, len: number, onFree: (buf: Buffer) => void): Promise<void> {
    const next = this.disk.then(async () => {
      // After a failed write a later one would land where the failed one belonged.
      if (this.failure !== undefined) throw this.failure;
      for (let w = 0; w < len; ) {
        const { bytesWritten } = await this.fh.write(buf, w, Math.min(WRITE_SIZE, len - w), part.Offset + part.Completed);
        w += bytesWritten;
        part.Completed += bytesWritten;
      }
      await this.catchUp(written(this.parts, this.total));
      onFree(buf);
    });
    this.disk = next.catch((e) => void (this.failure ??= e));
    return next;
  }

  private async catchUp(end: number): Promise<void> {
    while (this.done < end) {
      this.readBuf ??= Buffer.allocUnsafe(Math.min(READ_SIZE, this.total));
      const n = Math.min(this.readBuf.length, end - this.done);
      const { bytesRead } = await this.fh.read(this.readBuf, 0, n, this.done);
      if (bytesRead <= 0) throw new Error(`short read at ${this.done}`);
      this.hash.update(this.readBuf.subarray(0, bytesRead));
      this.done += bytesRead;
      this.onHashed();
    }
  }

  hashed(): number {
    return this.done;
  }

  async digest(): Promise<string> {
    await this.disk;
    if (this.failure !== undefined) throw this.failure;
    await this.catchUp(written(this.parts, this.total));
    if (this.done !== this.total) throw new Error(`hashed ${this.done} of ${this.total} bytes`);
    return `sha256:${this.hash.digest("hex")}`;
  }

  async close(): Promise<void> {
    await this.disk;
  }
}
