// The two threads behind one large blob download (blob-sink.ts): a writer that puts the slabs the
// socket filled into the file, and a hasher that keeps the sha256 of the blob's written prefix —
// from the slab itself when it arrives in order, else read back from the file. Slabs live in shared
// memory, so neither thread copies them, and the main thread only reads sockets: a slow disk never
// stalls the server's event loop, and writing, hashing and socket reads run side by side. Each thread
// handles its messages in order, so its replies come in the order of the requests. A `start`
// message begins each download (threads are kept for the next one, see disk-threads.ts).

import { createHash, type Hash } from "node:crypto";
import { readSync, writeSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";

export interface DiskWorkerData {
  role: "writer" | "hasher";
}

/**
 * Begins a download: `start` is the descriptor of the blob's partial file, opened read-write by the
 * main thread, which closes it only after the download is done with both threads.
 */
type Start = { start: number };

export type WriterRequest = Start | { id: number; at: number; slab: SharedArrayBuffer; offset: number; len: number };
export type WriterReply = { id: number } | { id: number; error: string; code?: string };

export type HasherRequest =
  | Start
  | { id: number; slab: SharedArrayBuffer; offset: number; len: number }
  | { id: number; from: number; to: number }
  | { digest: true };
export type HasherReply = { id: number; hashed: number } | { digest: string; hashed: number } | { error: string };

const READ_SIZE = 4 << 20;
/**
 * Bytes per write(2). Measured here (Linux, ext4): 1 GiB into a new file costs about 0.17 s of CPU
 * in 128–512 KiB writes but 0.3–1.4 s in 2 MiB ones.
 */
export const WRITE_SIZE = 256 << 10;

function writer(port: NonNullable<typeof parentPort>): void {
  let fd = -1;
  // After a failed write a later one would land past a hole: every later write fails too.
  let broken: NodeJS.ErrnoException | undefined;
  port.on("message", (m: WriterRequest) => {
    if ("start" in m) {
      fd = m.start;
      broken = undefined;
      return;
    }
    try {
      if (broken) throw broken;
      const view = new Uint8Array(m.slab, m.offset, m.len);
      for (let w = 0; w < m.len; ) w += writeSync(fd, view, w, Math.min(WRITE_SIZE, m.len - w), m.at + w);
      port.postMessage({ id: m.id } satisfies WriterReply);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      broken ??= err;
      port.postMessage({ id: m.id, error: err.message ?? String(e), code: err.code } satisfies WriterReply);
    }
  });
}

function hasher(port: NonNullable<typeof parentPort>): void {
  let fd = -1;
  let hash: Hash = createHash("sha256");
  let hashed = 0;
  let buf: Buffer | undefined;
  let failure: string | undefined;
  port.on("message", (m: HasherRequest) => {
    if ("start" in m) {
      fd = m.start;
      hash = createHash("sha256");
      hashed = 0;
      failure = undefined;
      return;
    }
    try {
      if (failure !== undefined) throw new Error(failure);
      if ("slab" in m) {
        hash.update(new Uint8Array(m.slab, m.offset, m.len));
        hashed += m.len;
      } else if ("from" in m) {
        if (m.from !== hashed) throw new Error(`hash asked from ${m.from}, at ${hashed}`);
        buf ??= Buffer.allocUnsafe(READ_SIZE);
        while (hashed < m.to) {
          const n = readSync(fd, buf, 0, Math.min(buf.length, m.to - hashed), hashed);
          if (n <= 0) throw new Error(`short read at ${hashed}`);
          hash.update(n === buf.length ? buf : buf.subarray(0, n));
          hashed += n;
        }
      } else {
        port.postMessage({ digest: `sha256:${hash.digest("hex")}`, hashed } satisfies HasherReply);
        return;
      }
      port.postMessage({ id: m.id, hashed } satisfies HasherReply);
    } catch (e) {
      failure ??= (e as Error).message ?? String(e);
      port.postMessage({ error: failure } satisfies HasherReply);
    }
  });
}

if (parentPort) ((workerData as DiskWorkerData).role === "writer" ? writer : hasher)(parentPort);
