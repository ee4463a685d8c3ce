// HTTP(S)_PROXY / NO_PROXY for registry traffic. Node's fetch ignores these variables and undici
// (whose ProxyAgent would honor them) is not a dependency, so proxied requests go through a small
// fetch built on node:http: absolute-URI requests for http targets, a CONNECT tunnel + TLS for https.
// Matching follows Go's httpproxy (what Ollama uses): loopback is never proxied.

import { request as httpRequest, type IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { Readable } from "node:stream";
import { proxyEnv } from "../config/env.js";

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

function isLoopback(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  const h = host.replace(/^\[|\]$/g, "");
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) === 6) return h === "::1";
  return false;
}

/** Whether NO_PROXY excludes `host:port` (entries: `*`, `host`, `.domain`, `host:port`, IPs). */
export function noProxyMatches(noProxy: string, hostname: string, port: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  for (let entry of noProxy.split(/[\s,]+/)) {
    entry = entry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === "*") return true;
    let entryPort = "";
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[(.*)\]/, "$1"));
    if (m && m[2] && isIP(entry) !== 6) {
      entry = m[1];
      entryPort = m[2];
    }
    if (entryPort && entryPort !== port) continue;
    if (entry.startsWith("*.")) entry = entry.slice(1);
    if (entry.startsWith(".")) {
      if (host.endsWith(entry) || host === entry.slice(1)) return true;
    } else if (host === entry || host.endsWith(`.${entry}`)) {
      return true;
    }
  }
  return false;
}

/** The proxy URL to use for `target`, or undefined for a direct connection. */
export function proxyFor(target: string | URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  const u = typeof target === "string" ? new URL(target) : target;
  const raw = proxyEnv(env, u.protocol === "https:" ? "HTTPS_PROXY" : "HTTP_PROXY");
  if (!raw || isLoopback(u.hostname)) return undefined;
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  if (noProxyMatches(proxyEnv(env, "NO_PROXY"), u.hostname, port)) return undefined;
  return new URL(raw.includes("://") ? raw : `http://${raw}`);
}

function proxyAuth(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const cred = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { "proxy-authorization": `Basic ${Buffer.from(cred).toString("base64")}` };
}

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
    else if (v !== undefined) headers.set(k, v);
  }
  const status = res.statusCode ?? 500;
  const nullBody = status === 204 || status === 304 || (status >= 100 && status < 200);
  const body = nullBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
  if (nullBody) res.resume();
  return new Response(body, { status, statusText: res.statusMessage, headers });
}

async function bodyBytes(body: RequestInit["body"]): Promise<Buffer | Readable | undefined> {
  if (body == null) return undefined;
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (typeof (body as ReadableStream).getReader === "function") {
    return Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>);
  }
  throw new TypeError("proxy fetch: unsupported body type");
}

/** A fetch that sends every request through `proxy`. Redirects are never followed (callers handle them). */
export function createProxyFetch(proxy: URL, tlsOptions: { ca?: string | Buffer } = {}): FetchLike {
  return async (url, init = {}) => {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    headers.host = target.host;
    const body = await bodyBytes(init.body);
    if (Buffer.isBuffer(body)) headers["content-length"] = String(body.length);
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const proxyPort = Number(proxy.port || 80);
    const options =
      target.protocol === "https:"
        ? await tunnel(proxy, proxyPort, target, signal, tlsOptions.ca)
        : { host: proxy.hostname, port: proxyPort, path: target.href, extra: proxyAuth(proxy) };
    return new Promise<Response>((resolve, reject) => {
      const req = httpRequest(
        {
          host: options.host,
          port: options.port,
          path: options.path,
          method: init.method ?? "GET",
          headers: { ...headers, ...options.extra },
          signal,
          createConnection: "socket" in options ? () => options.socket as never : undefined,
        },
        (res) => resolve(toResponse(res)),
      );
      req.on("error", reject);
      if (body instanceof Readable) body.pipe(req);
      else req.end(body);
    });
  };
}

async function tunnel(proxy: URL, proxyPort: number, target: URL, signal?: AbortSignal, ca?: string | Buffer) {
  const port = target.port || "443";
  const socket = await new Promise<import("node:net").Socket>((resolve, reject) => {
    const req = httpRequest({
      host: proxy.hostname,
      port: proxyPort,
      method: "CONNECT",
      path: `${target.hostname}:${port}`,
      headers: { host: `${target.hostname}:${port}`, ...proxyAuth(proxy) },
      signal,
    });
    req.on("connect", (res, sock) => {
      if (res.statusCode !== 200) {
        sock.destroy();
        reject(new Error(`proxyconnect tcp: ${res.statusCode} ${res.statusMessage ?? ""}`.trim()));
      } else resolve(sock);
    });
    req.on("error", reject);
    req.end();
  });
  const tls = tlsConnect({ socket, ca, servername: isIP(target.hostname) ? undefined : target.hostname });
  await new Promise<void>((resolve, reject) => {
    tls.once("secureConnect", resolve);
    tls.once("error", reject);
  });
  return { host: target.hostname, port: Number(port), path: target.pathname + target.search, extra: {}, socket: tls };
}
