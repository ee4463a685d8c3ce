// One ranged GET of a blob part into the partial file. Plain-HTTP sources are read with rawGet,
// straight into the download's 2 MiB slabs (no per-chunk buffers, no copies); TLS, proxies, auth
// challenges and odd responses take the client's stream path, copied into the same slabs. A part's
// socket pauses while every slab is on its way to disk, and, beyond the hash frontier, while
// PrefixHasher says hashing lags (see there).

import type { Readable } from "node:stream";
import { RegistryError } from "../util/errors.js";
import type { RegistryClient } from "./client.js";
import type { HashedPart, PrefixHasher } from "./prefix-hash.js";
import { type BodySink, rawGet, type RawResponse } from "./raw-get.js";

export interface RangePart extends HashedPart {
  N: number;
}

/** Where the blob's bytes are fetched, as `RegistryClient.resolveBlob` returns it. */
interface Source {
  url: string;
  anonymous: boolean;
}

/** A Node stream body behind the `RawResponse` interface (TLS, proxies, auth challenges). */
function fromStream(status: number, body: Readable, signal: AbortSignal): RawResponse {
  return {
    status,
    header: () => undefined,
    pipe: (sink: BodySink) =>
      new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        const done = (e?: unknown) => {
          signal.removeEventListener("abort", onAbort);
          if (e === undefined) resolve();
          else reject(e);
        };
        body.on("data", (chunk: Buffer) => {
          for (let at = 0; at < chunk.length; ) {
            const n = chunk.copy(sink.buffer(), 0, at);
            at += n;
            sink.data(n);
          }
        });
        body.once("end", () => done());
        body.once("error", (e) => done(e));
        body.once("close", () => done(body.readableEnded ? undefined : new Error("connection lost: other side closed")));
      }),
    pause: () => body.pause(),
    resume: () => body.resume(),
    destroy: () => body.destroy(),
  };
}

async function openRange(client: RegistryClient, source: Source, range: string, signal: AbortSignal): Promise<RawResponse> {
  const headers = client.rawHeaders(source.url, source.anonymous);
  if (headers) {
    const raw = await rawGet(new URL(source.url), { ...headers, Range: range }, signal).catch((e) => {
      if (signal.aborted) throw signal.reason;
      throw e;
    });
    if (raw && (raw.status === 206 || raw.status === 200)) return raw;
    raw?.destroy();
  }
  const res = await client.stream("GET", source.url, { headers: { range }, anonymous: source.anonymous, signal });
  if (res.status !== 206 && res.status !== 200) {
    const text = await res.text().catch(() => "");
    throw new RegistryError(`${res.status}: ${text.trim()}`);
  }
  return fromStream(res.status, res.body, signal);
}


/**
 * Downloads the rest of `run` — consecutive parts, each after the first still empty — over one
 * request, into the blob through `hasher`, advancing each part's Completed as its bytes reach the
 * disk; throws on anything short of the whole run. One request per part cost a loopback pull about
 * a tenth of its speed (the registry's per-request work, and a connection per part).
 */
export async function fetchRange(
  client: RegistryClient,
  source: Source,
  run: RangePart[],
  signal: AbortSignal,
  activity: { last: number; waiting: boolean },
  hasher: PrefixHasher,
): Promise<void> {
  let index = 0;
  let part = run[0];
  const start = part.Offset + part.Completed;
  const last = run[run.length - 1];
  const res = await openRange(client, source, `bytes=${start}-${last.Offset + last.Size - 1}`, signal);
  // A server that ignores Range answers 200 with the whole blob: skip to where this part resumes.
  let skip = res.status === 200 ? start : 0;
  // The socket fills `slab`; a full slab goes to disk and back to the download's pool, and the
  // socket pauses while the pool is empty. `base` is where slab[0] belongs in the blob. A part
  // ends once its bytes are written: the hashing of its last slabs overlaps what follows.
  let slab: Buffer = hasher.slab();
  let fill = 0;
  let base = start;
  let end = part.Offset + part.Size;
  let done = false;
  let paused = false;
  const flights: Promise<void>[] = [];
  let failed: unknown;
  const submit = (len = fill) => {
    const b = slab;
    base += len;
    fill = 0;
    slab = hasher.slab();
    const flight = hasher.write(part, b, len).then(
      () => {},
      (e) => {
        // The disk failed: stop reading; the write's error is what the part reports.
        failed ??= e;
        res.destroy();
      },
    );
    flights.push(flight);
    void flight.then(() => flights.splice(flights.indexOf(flight), 1));
  };
  /** The slab holds the rest of `part` and `over` bytes of the next: write the first, carry the rest. */
  const nextPart = (over: number): boolean => {
    const full = slab;
    const at = fill - over;
    if (at > 0) submit(at);
    if (++index === run.length) return false;
    part = run[index];
    end = part.Offset + part.Size;
    full.copy(slab, 0, at, at + over);
    fill = over;
    return true;
  };
  const resumeLater = async () => {
    try {
      for (;;) {
        if (signal.aborted || done) return;
        if (!hasher.starved() && !hasher.shouldWait(part)) break;
        // Held back on purpose (the disk or the hash frontier), which is not a stall.
        activity.waiting = true;
        await hasher.wait(signal);
        activity.waiting = false;
        activity.last = Date.now();
      }
    } finally {
      activity.waiting = false;
    }
    paused = false;
    res.resume();
  };
  const sink: BodySink = {
    buffer: () => {
      if (fill === slab.length) submit();
      return slab.subarray(fill);
    },
    data: (n) => {
      if (done) return;
      activity.last = Date.now();
      if (skip) {
        const k = Math.min(skip, n);
        skip -= k;
        slab.copyWithin(fill, fill + k, fill + n);
        n -= k;
      }
      fill += n;
      while (base + fill >= end) {
        if (!nextPart(base + fill - end)) {
          done = true;
          if (res.status === 200) res.destroy();
          return;
        }
      }
      if (fill >= slab.length - (64 << 10)) submit();
      if (!paused && (hasher.starved() || hasher.shouldWait(part))) {
        paused = true;
        res.pause();
        void resumeLater();
      }
    },
  };
  try {
    await res.pipe(sink).catch((e) => {
      if (!done) throw e;
    });
  } catch (e) {
    if (failed === undefined) throw e;
  } finally {
    // Whatever arrived before an error or abort is kept, so a retry or resume skips it.
    if (fill && !done) submit();
    await Promise.all(flights);
    res.destroy();
    hasher.release(slab);
  }
  if (failed !== undefined) throw failed;
  const short = run.find((p) => p.Completed < p.Size);
  if (short) throw new RegistryError(`part ${short.N}: unexpected EOF`);
}
