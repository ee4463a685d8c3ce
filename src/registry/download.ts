// Blob downloads (ollama-spec §6): parallel ranged parts into `blobs/sha256-<hex>-partial`, each
// part's progress persisted as Ollama's JSON (`-partial-<N>`: {N,Offset,Size,Completed}) so a pull
// interrupted in any way resumes where it stopped — even one started by Ollama. The file takes its
// digest name only after its sha256 matches. Concurrent requests for one blob share one download,
// which stops only when every requester has gone.
//
// Throughput: plain-HTTP ranges are read off the socket straight into 2 MiB slabs from one pool per
// download (fetch-range.ts, raw-get.ts; TLS, proxies and auth challenges take the client's
// node:http/fetch path); for a large blob a writer thread puts them on disk while a hasher thread
// follows the written prefix (prefix-hash.ts, blob-sink.ts), so the main thread only reads sockets
// and verification after the last byte is short.

import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { ModelName } from "../name/index.js";
import { BlobStore, TEMP_PREFIX } from "../store/index.js";
import { RegistryError } from "../util/errors.js";
import type { RegistryClient } from "./client.js";
import { FAST_LINK, PrefixHasher } from "./prefix-hash.js";
import { fetchRange } from "./fetch-range.js";

export interface TransferTuning {
  /** Bytes per part; default total/16 clamped to [100 MB, 1000 MB]. */
  partSize?: number;
  /** Parts in flight at most; default 16 (reached only while the pull is slower than 300 MB/s). */
  concurrency?: number;
  /** No bytes for this long → abort and retry the part without spending a try (default 30 s). */
  stallMs?: number;
  /**
   * Fetch consecutive parts over one request from the start, as on a link measured fast (loopback,
   * LAN); by default that begins once the link measures fast.
   */
  span?: boolean;
  /** Tries per part (default 6). */
  maxRetries?: number;
  /** Sleep before retry `n` (1-based); default 2^n s. */
  retryDelayMs?: (n: number) => number;
}

export interface DownloadRequest {
  client: RegistryClient;
  name: ModelName;
  digest: string;
  size: number;
  blobs: BlobStore;
  insecure?: boolean;
  signal?: AbortSignal;
  onProgress?: (completed: number) => void;
  tuning?: TransferTuning;
}

interface Part {
  N: number;
  Offset: number;
  Size: number;
  Completed: number;
}

const MB = 1000 * 1000;

/** Ollama's part sizing: total/16 clamped to [100 MB, 1000 MB]. */
export function defaultPartSize(total: number): number {
  return Math.min(1000 * MB, Math.max(100 * MB, Math.floor(total / 16)));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

async function loadParts(partial: string, total: number): Promise<Part[] | undefined> {
  const dir = dirname(partial);
  const prefix = `${basename(partial)}-`;
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)));
    if (!names.length || (await stat(partial)).size !== total) return undefined;
  } catch {
    return undefined;
  }
  const parts: Part[] = [];
  for (const n of names) {
    try {
      const p = JSON.parse(await readFile(join(dir, n), "utf8")) as Part;
      parts.push({ N: p.N, Offset: p.Offset, Size: p.Size, Completed: Math.min(p.Completed ?? 0, p.Size) });
    } catch {
      return undefined;
    }
  }
  parts.sort((a, b) => a.Offset - b.Offset);
  // Only trust state that tiles the blob exactly; anything else starts over.
  let at = 0;
  for (const p of parts) {
    if (p.Offset !== at || p.Size <= 0 || !(p.Completed >= 0)) return undefined;
    at += p.Size;
  }
  return at === total ? parts : undefined;
}

async function removePartFiles(partial: string): Promise<void> {
  const dir = dirname(partial);
  const prefix = `${basename(partial)}-`;
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => rm(join(dir, n), { force: true })));
}

interface Shared {
  promise: Promise<void>;
  controller: AbortController;
  listeners: Set<(completed: number) => void>;
  waiters: number;
}

const inflight = new Map<string, Shared>();

/** Downloads one blob into the store unless present. Returns whether it was already there. */
export async function downloadBlob(req: DownloadRequest): Promise<{ cacheHit: boolean }> {
  const final = req.blobs.path(req.digest);
  if (!inflight.has(final) && (await req.blobs.has(req.digest))) {
    await req.blobs.touch(req.digest);
    req.onProgress?.(req.size);
    return { cacheHit: true };
  }
  let shared = inflight.get(final);
  if (!shared) {
    const controller = new AbortController();
    const listeners = new Set<(c: number) => void>();
    const promise = run(req, controller.signal, (c) => listeners.forEach((l) => l(c))).finally(() => inflight.delete(final));
    promise.catch(() => {});
    shared = { promise, controller, listeners, waiters: 0 };
    inflight.set(final, shared);
  }
  const s = shared;
  const listener = (c: number) => req.onProgress?.(c);
  s.waiters++;
  s.listeners.add(listener);
  let onAbort: (() => void) | undefined;
  const leave = () => {
    if (onAbort) req.signal?.removeEventListener("abort", onAbort);
    s.listeners.delete(listener);
    return --s.waiters === 0;
  };
  try {
    await Promise.race([
      s.promise,
      new Promise<never>((_, reject) => {
        if (!req.signal) return;
        onAbort = () => reject(req.signal!.reason);
        if (req.signal.aborted) onAbort();
        else req.signal.addEventListener("abort", onAbort, { once: true });
      }),
    ]);
  } catch (e) {
    if (leave()) {
      // The last requester left: stop the transfer and let it save its part state before returning,
      // so a retry never races the old transfer over the same partial file.
      s.controller.abort(req.signal?.reason ?? e);
      await s.promise.catch(() => {});
    }
    throw e;
  }
  leave();
  return { cacheHit: false };
}

async function run(req: DownloadRequest, signal: AbortSignal, emit: (completed: number) => void): Promise<void> {
  const { digest, size: total, tuning = {} } = req;
  const final = req.blobs.path(digest);
  const partial = `${final}-partial`;
  // Resolved first: a blob the registry does not have leaves no partial behind.
  const source = await req.client.resolveBlob(req.name, digest, { insecure: req.insecure, signal });
  await mkdir(req.blobs.dir, { recursive: true, mode: 0o755 });
  let parts = await loadParts(partial, total);
  if (!parts) {
    await removePartFiles(partial);
    const partSize = Math.max(1, tuning.partSize ?? defaultPartSize(total));
    parts = [];
    for (let off = 0, n = 0; off < total || (total === 0 && n === 0); off += partSize, n++) {
      parts.push({ N: n, Offset: off, Size: Math.min(partSize, total - off), Completed: 0 });
      if (total === 0) break;
    }
    const fh = await open(partial, "w", 0o644);
    await fh.truncate(total);
    await fh.close();
  }
  // Serialized per part and renamed into place, so a reader (or a kill) never sees half a file.
  const writing = new Map<number, Promise<void>>();
  const writePart = (p: Part) => {
    const json = JSON.stringify({ N: p.N, Offset: p.Offset, Size: p.Size, Completed: p.Completed });
    const next = (writing.get(p.N) ?? Promise.resolve()).then(async () => {
      const tmp = join(req.blobs.dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString("hex")}`);
      await writeFile(tmp, json);
      await rename(tmp, `${partial}-${p.N}`);
    });
    writing.set(p.N, next.catch(() => {}));
    return next;
  };
  await Promise.all(parts.map(writePart));

  const completed = () => parts!.reduce((s, p) => s + p.Completed, 0);
  const timer = setInterval(() => emit(completed()), 60);
  // Only parts that moved since the last save are rewritten.
  const saved = new Map(parts.map((p) => [p.N, p.Completed]));
  const save = (p: Part) => {
    if (saved.get(p.N) === p.Completed) return;
    saved.set(p.N, p.Completed);
    void writePart(p).catch(() => {});
  };
  const saver = setInterval(() => parts!.forEach(save), 500);
  const fh = await open(partial, "r+");
  // Called on each of the hasher's rate samples; set below, beside the workers it starts.
  let onRate = (_rate: number) => {};
  const hasher = new PrefixHasher(fh, parts, total, (rate) => onRate(rate));

  let got = "";
  // One part failing for good stops the others (their progress is saved for the next pull).
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // one listener per part in flight
  const onAbort = () => stop.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const queue = parts.filter((p) => p.Completed < p.Size);
    const max = Math.min(tuning.concurrency ?? 16, queue.length);
    let firstError: unknown;
    const running: Promise<void>[] = [];
    // While the link is fast the first worker takes runs: its part and the empty parts after it,
    // over one request. Workers added for a slow link take single parts from the back.
    let fast = tuning.span ?? false;
    const takeRun = (): Part[] => {
      const first = queue.shift();
      if (!first) return [];
      const run = [first];
      while (fast && queue[0]?.Completed === 0 && queue[0].Offset === run[run.length - 1].Offset + run[run.length - 1].Size) run.push(queue.shift()!);
      return run;
    };
    const takeOne = (): Part[] => {
      const p = queue.pop();
      return p ? [p] : [];
    };
    const startWorker = (take: () => Part[]) =>
      running.push(
        (async () => {
          try {
            for (let run = take(); run.length; run = take()) {
              await downloadRun(req, source, run, stop.signal, hasher);
              await Promise.all(run.map(writePart));
            }
          } catch (e) {
            if (!stop.signal.aborted) {
              firstError = e;
              stop.abort(e);
            }
          }
        })(),
      );
    // Connections start at one and double at each rate sample below FAST_LINK: on loopback or a
    // LAN one connection is as fast as sixteen for less CPU (measured: 1.5 s against 1.9 s for
    // 1 GiB here), while over the internet parallel parts are what make it fast, reached in a second.
    startWorker(takeRun);
    onRate = (rate) => {
      fast ||= rate >= FAST_LINK;
      if (fast || stop.signal.aborted) return;
      for (let n = running.length; n > 0 && running.length < max && queue.length > 0; n--) startWorker(takeOne);
    };
    // `running` may grow while this waits.
    for (let i = 0; i < running.length; i++) await running[i];
    if (signal.aborted) throw signal.reason;
    if (stop.signal.aborted) throw firstError;
    emit(completed());
    // Most of the blob was hashed while it downloaded.
    got = await hasher.digest();
  } finally {
    await hasher.close();
    signal.removeEventListener("abort", onAbort);
    clearInterval(timer);
    clearInterval(saver);
    await fh.close().catch(() => {});
    await Promise.all(parts.map((p) => writePart(p).catch(() => {})));
  }
  if (got !== digest) {
    await rm(partial, { force: true });
    await removePartFiles(partial);
    throw new RegistryError(`digest mismatch, file must be downloaded again: want ${digest}, got ${got}`);
  }
  // No fsync of the blob, as Ollama: a crashed process loses nothing (the page cache holds the
  // verified bytes), and waiting for the disk made a loopback pull disk-bound (about 380 MB/s here,
  // against curl's 1 GB/s into the page cache). Starting the write-back early did not help either:
  // on ext4 the manifest's fsync then waits for the whole blob.
  await rename(partial, final);
  await removePartFiles(partial);
}

function partError(part: Part, e: unknown): RegistryError {
  const err = e as Error & { cause?: Error };
  const msg = err?.message ?? String(e);
  if (msg.startsWith(`part ${part.N}`)) return err as RegistryError;
  // fetch says `terminated` (cause: `other side closed`); node:http says `aborted` (ECONNRESET).
  let detail = err?.cause?.message && msg === "terminated" ? `connection lost: ${err.cause.message}` : msg;
  if (msg === "aborted" && (err as NodeJS.ErrnoException).code === "ECONNRESET") detail = "connection lost: connection reset";
  return new RegistryError(`part ${part.N}: ${detail}`);
}

async function downloadRun(
  req: DownloadRequest,
  source: { url: string; anonymous: boolean },
  run: Part[],
  signal: AbortSignal,
  hasher: PrefixHasher,
): Promise<void> {
  const { tuning = {} } = req;
  const stallMs = tuning.stallMs ?? 30_000;
  const maxRetries = tuning.maxRetries ?? 6;
  const delay = tuning.retryDelayMs ?? ((n: number) => 2 ** n * 1000);
  let tries = 0;
  // After a failure the rest of the run (its current part onward) is tried again.
  for (let rest = run; rest.length; rest = run.filter((p) => p.Completed < p.Size)) {
    const part = rest[0];
    signal.throwIfAborted();
    const attempt = new AbortController();
    const onAbort = () => attempt.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    // `waiting`: held back for the hash frontier on purpose, which is not a stall.
    const activity = { last: Date.now(), waiting: false };
    let stalled = false;
    const watchdog = setInterval(() => {
      if (activity.waiting) activity.last = Date.now();
      else if (Date.now() - activity.last > stallMs) {
        stalled = true;
        attempt.abort(new RegistryError(`part ${part.N} stalled; retrying`));
      }
    }, Math.max(10, Math.min(1000, stallMs / 4)));
    try {
      await fetchRange(req.client, source, rest, attempt.signal, activity, hasher);
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      if ((e as NodeJS.ErrnoException).code === "ENOSPC") throw e;
      if (!stalled) {
        if (++tries >= maxRetries) throw partError(run.find((p) => p.Completed < p.Size) ?? part, e);
        await sleep(delay(tries), signal);
      }
    } finally {
      clearInterval(watchdog);
      signal.removeEventListener("abort", onAbort);
    }
  }
}
