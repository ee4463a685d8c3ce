// A `fetch` for the CLI built on node:http(s). Measured: a process that has used the global fetch
// (undici) spends ~200 ms tearing it down at exit, more than `herd list` spends on its own work; with
// node:http the whole command stays near Node's startup cost. Same surface as fetch for what the
// client uses: method, headers, string/bytes/web-stream bodies, AbortSignal, streamed responses.

import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";

function headersOf(init?: HeadersInit): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init).forEach((v, k) => (out[k] = v));
  return out;
}

export function httpFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input);
  const mod = url.protocol === "https:" ? https : http;
  return new Promise<Response>((resolve, reject) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return reject(signal.reason);
    const headers = headersOf(init.headers);
    const body = init.body;
    if ((typeof body === "string" || body instanceof Uint8Array) && headers["content-length"] === undefined) {
      headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    }
    const req = mod.request(url, { method: init.method ?? "GET", headers }, (res) => {
      const resHeaders = new Headers();
      for (const [k, v] of Object.entries(res.headers)) {
        if (Array.isArray(v)) v.forEach((x) => resHeaders.append(k, x));
        else if (v !== undefined) resHeaders.set(k, v);
      }
      const status = res.statusCode ?? 500;
      const empty = init.method === "HEAD" || status === 204 || status === 304;
      if (empty) res.resume();
      const stream = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
      resolve(new Response(stream, { status, statusText: res.statusMessage, headers: resHeaders }));
    });
    const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    signal?.addEventListener("abort", onAbort, { once: true });
    req.on("close", () => signal?.removeEventListener("abort", onAbort));
    // Shaped like undici's failures, so callers tell "nothing is listening" apart the same way.
    req.on("error", (err) => reject(signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: err })));
    if (body === undefined || body === null) {
      req.end();
    } else if (typeof body === "string" || body instanceof Uint8Array) {
      req.end(body);
    } else if (body instanceof ReadableStream) {
      Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>)
        .on("error", (e) => req.destroy(e))
        .pipe(req);
    } else {
      reject(new TypeError("httpFetch: unsupported body type"));
      req.destroy();
    }
  });
}
