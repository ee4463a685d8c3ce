// A `fetch` for the CLI built on node:http(s). Measured: a process that has used the global fetch
// (undici) spends ~200 ms tearing it down at exit, more than `herd list` spends on its own work; and
// merely touching the global Headers or Response loads undici (~100 ms of a `herd list` profile). So
// this neither calls fetch nor builds Headers/Responses: requests go through node:http, and the
// response is the part of Response the client reads (ok, status, statusText, headers.get, body, text,
// json, arrayBuffer). Requests take method, headers, string/bytes/web-stream bodies and an AbortSignal.

import http from "node:http";
import { createRequire } from "node:module";
import { Readable } from "node:stream";

// node:https (TLS) only for an https:// OLLAMA_HOST: talking to a local server never loads it.
const load = createRequire(import.meta.url);

function headersOf(init?: HeadersInit): Record<string, string> {
  const out: Record<string, string> = {};
  if (!init) return out;
  if (typeof (init as Headers).forEach === "function" && !Array.isArray(init)) {
    (init as Headers).forEach((v, k) => (out[k.toLowerCase()] = v));
    return out;
  }
  const entries = Array.isArray(init) ? (init as [string, string][]) : Object.entries(init as Record<string, string>);
  for (const [k, v] of entries) out[k.toLowerCase()] = v;
  return out;
}

class HttpResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  private web?: ReadableStream<Uint8Array> | null;

  /** `empty`: a response without a body (HEAD, 204, 304). */
  constructor(private readonly res: http.IncomingMessage, private readonly empty: boolean) {
    this.status = res.statusCode ?? 500;
    this.statusText = res.statusMessage ?? "";
    this.ok = this.status >= 200 && this.status < 300;
    this.headers = {
      get: (name) => {
        const v = res.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
      },
    };
  }

  /** A web stream only for those who stream (NDJSON); made on first use, as web streams cost a load. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.web === undefined) this.web = this.empty ? null : (Readable.toWeb(this.res) as ReadableStream<Uint8Array>);
    return this.web;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const chunks: Buffer[] = [];
    if (this.web) {
      for await (const c of this.web as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
    } else if (!this.empty) {
      for await (const c of this.res) chunks.push(c as Buffer);
    }
    const all = Buffer.concat(chunks);
    return all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.arrayBuffer());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

export function httpFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input);
  const mod: typeof http = url.protocol === "https:" ? load("node:https") : http;
  return new Promise<Response>((resolve, reject) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return reject(signal.reason);
    const headers = headersOf(init.headers);
    const body = init.body;
    if ((typeof body === "string" || body instanceof Uint8Array) && headers["content-length"] === undefined) {
      headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    }
    const req = mod.request(url, { method: init.method ?? "GET", headers }, (res) => {
      const status = res.statusCode ?? 500;
      const empty = init.method === "HEAD" || status === 204 || status === 304;
      if (empty) res.resume();
      resolve(new HttpResponse(res, empty) as unknown as Response);
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
