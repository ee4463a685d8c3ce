// The OCI distribution client (ollama-spec §6): one fetch per request, auth on demand. A 401 carries a
// `WWW-Authenticate` challenge: Bearer → token from the realm (Basic credentials if configured, else
// Ollama's Ed25519-signed request when the realm is the registry's own host, else anonymous);
// Basic → configured credentials. The resulting Authorization is reused for the host until the
// registry refuses it again. Redirects are followed by hand: same host keeps auth, another host
// (a CDN) never sees it.

import { createHash, randomBytes } from "node:crypto";
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import { homedir } from "node:os";
import { join } from "node:path";
import type { ModelName } from "../name/index.js";
import { RegistryError, UnauthorizedError } from "../util/errors.js";
import { type Identity, loadIdentity, signChallenge } from "./keys.js";
import { createProxyFetch, type FetchLike, proxyFor } from "./proxy.js";

export const MANIFEST_ACCEPT = "application/vnd.docker.distribution.manifest.v2+json";

export interface Credentials {
  username: string;
  password: string;
}

export interface RegistryClientOptions {
  /** Transport for direct (unproxied) requests; defaults to the global fetch. */
  fetch?: FetchLike;
  /** Ed25519 identity for signed token requests; defaults to `~/.ollama/id_ed25519`. */
  keyPath?: string;
  userAgent?: string;
  /** Basic credentials per registry host (`host[:port]`). */
  credentials?: Record<string, Credentials> | ((host: string) => Credentials | undefined);
  /** Where HTTP(S)_PROXY / NO_PROXY are read from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface SendInit {
  headers?: Record<string, string>;
  /** A function when the body is a stream that must be recreated for a retry. */
  body?: Uint8Array | string | (() => ReadableStream<Uint8Array> | Uint8Array);
  signal?: AbortSignal;
  /** Return the first redirect to another host instead of following it. */
  stopAtCrossHost?: boolean;
  /** Send no Authorization (CDN URLs). */
  anonymous?: boolean;
}

/** A response whose body is a Node stream (bulk transfers: far less CPU per byte than fetch's web streams). */
export interface StreamResponse {
  status: number;
  header(name: string): string | undefined;
  body: Readable;
  text(): Promise<string>;
}

function fromFetch(res: Response): StreamResponse {
  const body = res.body
    ? Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>)
    : Readable.from([]);
  return {
    status: res.status,
    header: (n) => res.headers.get(n) ?? undefined,
    body,
    text: async () => {
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}

function fromIncoming(res: IncomingMessage): StreamResponse {
  return {
    status: res.statusCode ?? 500,
    header: (n) => {
      const v = res.headers[n.toLowerCase()];
      return Array.isArray(v) ? v.join(", ") : v;
    },
    body: res,
    text: async () => {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}

/** A 404 from the registry; pull maps it to `file does not exist`. */
export class RegistryNotFoundError extends RegistryError {
  override name = "RegistryNotFoundError";
  constructor(message = "file does not exist") {
    super(message);
  }
}

/** `<scheme>://<host>/v2/<namespace>/<model>`; refuses `http://` names unless insecure (§6). */
export function repositoryUrl(name: ModelName, insecure = false): string {
  if (name.scheme === "http" && !insecure) throw new RegistryError("insecure protocol http");
  const scheme = insecure ? "http" : name.scheme || "https";
  return `${scheme}://${name.host}/v2/${name.namespace}/${name.model}`;
}

/** Go's url.QueryEscape, so the signed realm URL matches what Ollama's registry expects. */
function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = /^\s*(\w+)\s*(.*)$/.exec(header) ?? ["", "", ""];
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g)) params[p[1].toLowerCase()] = p[2] ?? p[3];
  return { scheme: m[1].toLowerCase(), params };
}

function describeNetworkError(method: string, url: string, e: unknown): RegistryError {
  const cause = (e as { cause?: NodeJS.ErrnoException }).cause ?? (e as NodeJS.ErrnoException);
  const host = new URL(url).host;
  let detail = cause?.message ?? String(e);
  if (cause?.code === "ENOTFOUND" || cause?.code === "EAI_AGAIN") detail = `dial tcp: lookup ${new URL(url).hostname}: no such host`;
  else if (cause?.code === "ECONNREFUSED") detail = `dial tcp ${host}: connect: connection refused`;
  else if (cause?.code === "ECONNRESET") detail = `read tcp ${host}: connection reset by peer`;
  const verb = method[0] + method.slice(1).toLowerCase();
  return new RegistryError(`${verb} "${url}": ${detail}`);
}

export class RegistryClient {
  readonly userAgent: string;
  private readonly auth = new Map<string, string>();
  private readonly proxies = new Map<string, FetchLike>();
  private identity?: Promise<Identity | undefined>;
  private agents?: { http: HttpAgent; https: HttpsAgent };

  constructor(private readonly opts: RegistryClientOptions = {}) {
    this.userAgent = opts.userAgent ?? `herd/0.1.0 (${process.arch} ${process.platform}) Node/${process.versions.node}`;
  }

  private transport(url: string): FetchLike {
    const proxy = proxyFor(url, this.opts.env ?? process.env);
    if (!proxy) return this.opts.fetch ?? ((u, i) => fetch(u, i));
    let f = this.proxies.get(proxy.href);
    if (!f) this.proxies.set(proxy.href, (f = createProxyFetch(proxy)));
    return f;
  }

  private credentialsFor(host: string): Credentials | undefined {
    const c = this.opts.credentials;
    return typeof c === "function" ? c(host) : c?.[host];
  }

  /** One request, no redirects; a 401 triggers the challenge flow and a single retry. */
  async request(method: string, url: string, init: SendInit = {}): Promise<Response> {
    const host = new URL(url).host;
    for (let attempt = 0; ; attempt++) {
      const headers = new Headers(init.headers);
      headers.set("user-agent", this.userAgent);
      const authz = init.anonymous ? undefined : this.auth.get(host);
      if (authz) headers.set("authorization", authz);
      const body = typeof init.body === "function" ? init.body() : init.body;
      let res: Response;
      try {
        res = await this.transport(url)(url, {
          method,
          headers,
          body: body as BodyInit | undefined,
          redirect: "manual",
          signal: init.signal,
          ...(body && !(body instanceof Uint8Array) && typeof body !== "string" ? { duplex: "half" } : {}),
        } as RequestInit);
      } catch (e) {
        if (init.signal?.aborted) throw init.signal.reason ?? e;
        throw describeNetworkError(method, url, e);
      }
      if (res.status !== 401 || init.anonymous) return res;
      const challenge = res.headers.get("www-authenticate") ?? "";
      await res.body?.cancel().catch(() => {});
      if (attempt > 0 || !challenge) throw new UnauthorizedError();
      this.auth.set(host, await this.authorize(url, challenge, init.signal));
    }
  }

  /**
   * `send` with the body as a Node stream. Direct requests go out on node:http(s) with kept-alive
   * connections and the host's current Authorization; anything else (a proxy, an injected fetch, a 401
   * to answer, a redirect to follow) takes the `send` path.
   */
  async stream(method: string, url: string, init: Omit<SendInit, "body"> = {}): Promise<StreamResponse> {
    const u = new URL(url);
    const direct = !this.opts.fetch && (u.protocol === "http:" || u.protocol === "https:") && !proxyFor(u, this.opts.env ?? process.env);
    const authz = init.anonymous ? undefined : this.auth.get(u.host);
    if (direct) {
      this.agents ??= { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
      const headers: Record<string, string> = { ...init.headers, "user-agent": this.userAgent };
      if (authz) headers.authorization = authz;
      let res: IncomingMessage;
      try {
        res = await new Promise<IncomingMessage>((resolve, reject) => {
          const https = u.protocol === "https:";
          const req = (https ? httpsRequest : httpRequest)(u, {
            method,
            headers,
            agent: https ? this.agents!.https : this.agents!.http,
            signal: init.signal,
          }, resolve);
          req.on("error", reject);
          req.end();
        });
      } catch (e) {
        if (init.signal?.aborted) throw init.signal.reason ?? e;
        throw describeNetworkError(method, url, e);
      }
      const status = res.statusCode ?? 500;
      if (status !== 401 && !(status >= 300 && status < 400)) return fromIncoming(res);
      res.resume();
    }
    return fromFetch(await this.send(method, url, init));
  }

  /**
   * Headers for a raw GET of `url` on a plain socket (`rawGet`), or undefined when the request must go
   * through `stream`/`send` (TLS, a proxy, an injected fetch).
   */
  rawHeaders(url: string, anonymous = false): Record<string, string> | undefined {
    const u = new URL(url);
    if (this.opts.fetch || u.protocol !== "http:" || proxyFor(u, this.opts.env ?? process.env)) return undefined;
    const headers: Record<string, string> = { "User-Agent": this.userAgent };
    const authz = anonymous ? undefined : this.auth.get(u.host);
    if (authz) headers.Authorization = authz;
    return headers;
  }

  /** `request` plus redirects (same host keeps auth; another host is anonymous or returned as is). */
  async send(method: string, url: string, init: SendInit = {}): Promise<Response> {
    let current = url;
    let anonymous = init.anonymous ?? false;
    for (let hops = 0; hops < 10; hops++) {
      const res = await this.request(method, current, { ...init, anonymous });
      if (![301, 302, 303, 307, 308].includes(res.status)) return res;
      const location = res.headers.get("location");
      if (!location) return res;
      const next = new URL(location, current).href;
      if (new URL(next).host !== new URL(current).host) {
        if (init.stopAtCrossHost) return res;
        anonymous = true;
      }
      await res.body?.cancel().catch(() => {});
      current = next;
    }
    throw new RegistryError(`${method} "${url}": stopped after 10 redirects`);
  }

  private async authorize(url: string, header: string, signal?: AbortSignal): Promise<string> {
    const { scheme, params } = parseChallenge(header);
    const host = new URL(url).host;
    const creds = this.credentialsFor(host);
    if (scheme === "basic") {
      if (!creds) throw new UnauthorizedError();
      return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
    }
    if (scheme !== "bearer" || !params.realm) throw new UnauthorizedError();
    const realm = new URL(params.realm);
    const realmCreds =
      creds ?? (realm.username ? { username: decodeURIComponent(realm.username), password: decodeURIComponent(realm.password) } : undefined);
    realm.username = realm.password = "";
    const query: [string, string][] = [["nonce", randomBytes(16).toString("base64url")]];
    for (const s of (params.scope ?? "").split(" ").filter(Boolean)) query.push(["scope", s]);
    if (params.service) query.push(["service", params.service]);
    query.push(["ts", String(Math.floor(Date.now() / 1000))]);
    const qs = query.map(([k, v]) => `${k}=${goQueryEscape(v)}`).join("&");
    const tokenUrl = `${realm.origin}${realm.pathname}?${realm.search ? realm.search.slice(1) + "&" : ""}${qs}`;
    const headers: Record<string, string> = { "user-agent": this.userAgent };
    if (realmCreds) {
      headers.authorization = `Basic ${Buffer.from(`${realmCreds.username}:${realmCreds.password}`).toString("base64")}`;
    } else if (realm.host === host) {
      const id = await this.loadIdentity();
      if (id) {
        const emptyHash = createHash("sha256").digest("hex");
        headers.authorization = signChallenge(id, `GET,${tokenUrl},${Buffer.from(emptyHash).toString("base64")}`);
      }
    }
    let res: Response;
    try {
      res = await this.transport(tokenUrl)(tokenUrl, { headers, signal, redirect: "follow" });
    } catch (e) {
      throw describeNetworkError("GET", tokenUrl, e);
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) throw new UnauthorizedError();
    if (!res.ok) throw new RegistryError(`${res.status}: ${text}`);
    const body = JSON.parse(text) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new UnauthorizedError();
    return `Bearer ${token}`;
  }

  private loadIdentity(): Promise<Identity | undefined> {
    const path = this.opts.keyPath ?? join(homedir(), ".ollama", "id_ed25519");
    this.identity ??= loadIdentity(path).catch(() => undefined);
    return this.identity;
  }

  /** The manifest's bytes exactly as served. 404 → RegistryNotFoundError. */
  async getManifest(name: ModelName, opts: { insecure?: boolean; signal?: AbortSignal } = {}): Promise<Buffer> {
    const url = `${repositoryUrl(name, opts.insecure)}/manifests/${name.tag}`;
    const res = await this.send("GET", url, { headers: { accept: MANIFEST_ACCEPT }, signal: opts.signal });
    return Buffer.from(await expectOk(res));
  }

  /**
   * Where a blob's bytes can be fetched with ranges: the registry itself when it answers 200
   * (requests keep auth), or the first cross-host redirect target (a CDN, requests carry no auth).
   */
  async resolveBlob(name: ModelName, digest: string, opts: { insecure?: boolean; signal?: AbortSignal } = {}) {
    const url = `${repositoryUrl(name, opts.insecure)}/blobs/${digest}`;
    let current = url;
    for (let hops = 0; hops < 10; hops++) {
      const res = await this.request("GET", current, { signal: opts.signal, headers: { range: "bytes=0-0" } });
      const location = res.headers.get("location");
      await res.body?.cancel().catch(() => {});
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, current).href;
        if (new URL(next).host !== new URL(current).host) return { url: next, anonymous: true };
        current = next;
        continue;
      }
      if (res.status === 404) throw new RegistryNotFoundError();
      if (res.status !== 200 && res.status !== 206) throw new RegistryError(`${res.status}: unexpected response for blob ${digest}`);
      return { url: current, anonymous: false };
    }
    throw new RegistryError(`GET "${url}": stopped after 10 redirects`);
  }
}

/** Ollama's error shape for unexpected statuses: `<code>: <body>`; 404 → RegistryNotFoundError. */
export async function expectOk(res: Response): Promise<ArrayBuffer> {
  if (res.status === 404) {
    await res.body?.cancel().catch(() => {});
    throw new RegistryNotFoundError();
  }
  if (res.status >= 400) throw new RegistryError(`${res.status}: ${(await res.text()).trim()}`);
  return res.arrayBuffer();
}

export function createRegistryClient(opts: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient(opts);
}
