// A bare HTTP/1.1 GET over a plain TCP socket whose body lands straight in the caller's buffers
// (net.Socket `onread`): no per-chunk allocation, no parser copy, no stream machinery — the cost of a
// blob download drops to about what curl pays. Only what blob transfers need: a response with a
// Content-Length. Anything else (`undefined`) goes back to the general client.

import { connect } from "node:net";

export interface BodySink {
  /** Where the next bytes land (never empty). */
  buffer(): Uint8Array;
  /** `n` bytes landed at the start of the last `buffer()`. */
  data(n: number): void;
}

export interface RawResponse {
  status: number;
  header(name: string): string | undefined;
  /** Feeds the body to `sink`; resolves at its last byte, rejects if the connection ends first. */
  pipe(sink: BodySink): Promise<void>;
  pause(): void;
  resume(): void;
  destroy(): void;
}

const HEAD_MAX = 64 * 1024;

function lost(e: NodeJS.ErrnoException | undefined): Error {
  if (e?.code === "ECONNRESET") return Object.assign(new Error("connection lost: connection reset by peer"), { code: e.code });
  return e ?? new Error("connection lost: other side closed");
}

/** GET `url` (http: only) with `headers`; undefined when the response is not a plain sized body. */
export function rawGet(url: URL, headers: Record<string, string>, signal?: AbortSignal): Promise<RawResponse | undefined> {
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const head = Buffer.allocUnsafe(HEAD_MAX);
    let headLen = 0;
    let res: RawResponse | undefined;
    let sink: BodySink | undefined;
    // Node asks for the next read's buffer right after each callback: `prepared` says which it was.
    let prepared: "head" | "spill" | "sink" = "head";
    const spill = Buffer.allocUnsafe(64 * 1024);
    let leftover = Buffer.alloc(0);
    let remaining = 0;
    let userPaused = false;
    let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
    let failure: unknown;
    let finished = false;

    const fail = (e: unknown) => {
      if (finished) return;
      finished = true;
      failure = e;
      sock.destroy();
      signal?.removeEventListener("abort", onAbort);
      if (!res) reject(e);
      settle?.reject(e);
    };
    const finish = () => {
      finished = true;
      sock.destroy();
      signal?.removeEventListener("abort", onAbort);
      settle?.resolve();
    };
    const onAbort = () => fail(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });

    const deliver = (n: number) => {
      n = Math.min(n, remaining);
      remaining -= n;
      if (n) sink!.data(n);
      if (remaining === 0) finish();
    };

    const feed = (bytes: Uint8Array) => {
      for (let at = 0; at < bytes.length && !finished; ) {
        const n = Math.min(bytes.length - at, Math.max(0, remaining));
        const into = sink!.buffer();
        const k = Math.min(n, into.length);
        into.set(bytes.subarray(at, at + k));
        at += k;
        deliver(k);
        if (k === 0) break;
      }
    };

    const parseHead = (): boolean => {
      const end = head.subarray(0, headLen).indexOf("\r\n\r\n");
      if (end < 0) {
        if (headLen === HEAD_MAX) fail(new Error("response header too large"));
        return !finished;
      }
      const lines = head.subarray(0, end).toString("latin1").split("\r\n");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? NaN);
      const fields = new Map<string, string>();
      for (const l of lines.slice(1)) {
        const i = l.indexOf(":");
        if (i > 0) fields.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
      }
      const length = Number(fields.get("content-length"));
      leftover = Buffer.from(head.subarray(end + 4, headLen));
      if (!Number.isInteger(status) || !Number.isSafeInteger(length) || fields.has("transfer-encoding") || leftover.length > length) {
        finished = true;
        sock.destroy();
        signal?.removeEventListener("abort", onAbort);
        resolve(undefined);
        return false;
      }
      remaining = length;
      res = {
        status,
        header: (name) => fields.get(name.toLowerCase()),
        pipe: (s) =>
          new Promise<void>((ok, ko) => {
            if (failure !== undefined) return ko(failure);
            settle = { resolve: ok, reject: ko };
            sink = s;
            feed(leftover);
            if (remaining === 0 && !finished) finish();
            if (finished) return failure === undefined ? ok() : ko(failure);
            if (!userPaused) sock.resume();
          }),
        pause: () => {
          userPaused = true;
          sock.pause();
        },
        resume: () => {
          userPaused = false;
          if (sink && !finished) sock.resume();
        },
        destroy: () => fail(new Error("destroyed")),
      };
      resolve(res);
      // Hold the body until a sink is attached.
      return false;
    };

    const sock = connect({
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: Number(url.port || 80),
      onread: {
        buffer: () => {
          if (sink && !finished) {
            prepared = "sink";
            return sink.buffer();
          }
          prepared = res || finished ? "spill" : "head";
          return prepared === "spill" ? spill : head.subarray(headLen);
        },
        callback: (n: number) => {
          if (finished) return false;
          if (prepared === "sink") deliver(n);
          else if (prepared === "spill") {
            // Read while no sink was attached yet (kept for `pipe`), or just as it was attached.
            if (!sink) {
              leftover = Buffer.concat([leftover, spill.subarray(0, n)]);
              return false;
            }
            feed(spill.subarray(0, n));
          } else {
            headLen += n;
            return parseHead();
          }
          return !finished && !userPaused;
        },
      },
    });
    sock.setNoDelay(true);
    sock.on("connect", () => {
      const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
      for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
      lines.push("Connection: close", "", "");
      sock.write(lines.join("\r\n"));
    });
    sock.on("error", (e) => fail(lost(e)));
    sock.on("end", () => fail(lost(undefined)));
    sock.on("close", () => fail(lost(undefined)));
  });
}
