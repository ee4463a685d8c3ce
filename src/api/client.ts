// A small fetch client of herd's (and Ollama's) REST API, used by the CLI. Imports no herd code.

import type {
  ChatRequest,
  ChatResponse,
  CopyRequest,
  CreateRequest,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  GenerateResponse,
  ListResponse,
  ProcessResponse,
  ProgressResponse,
  PullRequest,
  ShowRequest,
  ShowResponse,
  VersionResponse,
} from "./types.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The server could not be reached at all (nothing listening). */
export class ConnectionError extends Error {
  override name = "ConnectionError";
}

/** The server took the connection but closed or reset it before its answer began (it died, or a proxy cut it). */
export class ConnectionLostError extends Error {
  override name = "ConnectionLostError";
}

/**
 * Socket errors of a connection that was made and then closed or reset by the other side (node: ECONNRESET, which
 * is also its "socket hang up", and EPIPE; undici: "other side closed" and a closed socket). Any other failure
 * is taken as no server there, as before.
 */
const HUNG_UP = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);

/** The system errors under a failed fetch: its cause, or each attempt of an AggregateError (one per address). */
function causesOf(e: unknown): { code?: string; message?: string }[] {
  const cause = (e as { cause?: unknown }).cause;
  if (cause instanceof AggregateError) return cause.errors as { code?: string }[];
  return cause && typeof cause === "object" ? [cause as { code?: string; message?: string }] : [];
}

async function* ndjsonLines<T>(body: ReadableStream<Uint8Array>): AsyncIterable<T> {
  const dec = new TextDecoder();
  let buf = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buf += dec.decode(chunk, { stream: true });
    // A chunk holds a whole batch of lines: scan it once, cut the consumed part once.
    let start = 0;
    let nl: number;
    while ((nl = buf.indexOf("\n", start)) >= 0) {
      const line = buf.slice(start, nl).trim();
      start = nl + 1;
      if (!line) continue;
      const obj = JSON.parse(line);
      if (obj && typeof obj === "object" && "error" in obj) throw new ApiError(500, String(obj.error));
      yield obj as T;
    }
    buf = buf.slice(start);
  }
  if (buf.trim()) {
    const obj = JSON.parse(buf);
    if (obj && "error" in obj) throw new ApiError(500, String(obj.error));
    yield obj as T;
  }
}

export class Client {
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: (url: string, init?: RequestInit) => Promise<Response> = fetch,
  ) {}

  private async request(method: string, path: string, body?: unknown, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers: body === undefined ? undefined : { "Content-Type": "application/json" },
        body: body === undefined ? undefined : typeof body === "string" || body instanceof Uint8Array || body instanceof ReadableStream ? (body as BodyInit) : JSON.stringify(body),
        ...init,
      });
    } catch (e) {
      // undici reports every socket-level failure as `TypeError: fetch failed` with the system
      // error (or an AggregateError of them, one per address) as its cause.
      const causes = e instanceof TypeError && !init.signal?.aborted ? causesOf(e) : [];
      if (!causes.length) throw e;
      const lost = causes.find((c) => c.code !== undefined && HUNG_UP.has(c.code));
      if (lost) throw new ConnectionLostError(`herd server at ${this.baseUrl} closed the connection before answering (${lost.message ?? lost.code})`);
      throw new ConnectionError(`could not connect to herd server at ${this.baseUrl}`);
    }
    if (!res.ok) {
      const text = await res.text();
      let msg = text;
      try {
        msg = JSON.parse(text).error ?? text;
      } catch {
        // plain-text error body
      }
      throw new ApiError(res.status, msg || res.statusText);
    }
    return res;
  }

  async heartbeat(): Promise<void> {
    await this.call("HEAD", "/");
  }

  async version(): Promise<string> {
    return ((await (await this.request("GET", "/api/version")).json()) as VersionResponse).version;
  }

  async list(): Promise<ListResponse> {
    return (await this.request("GET", "/api/tags")).json() as Promise<ListResponse>;
  }

  async ps(): Promise<ProcessResponse> {
    return (await this.request("GET", "/api/ps")).json() as Promise<ProcessResponse>;
  }

  async show(req: ShowRequest): Promise<ShowResponse> {
    return (await this.request("POST", "/api/show", req)).json() as Promise<ShowResponse>;
  }

  /**
   * A request whose answer carries nothing the caller needs: its body is still read to the end, so the
   * connection goes back to the pool (an unread body holds its socket, and the process open, until the server
   * closes the connection — and herd's server, like Ollama's, keeps idle connections open).
   */
  private async call(method: string, path: string, body?: unknown, init?: RequestInit): Promise<void> {
    await (await this.request(method, path, body, init)).arrayBuffer();
  }

  async copy(req: CopyRequest): Promise<void> {
    await this.call("POST", "/api/copy", req);
  }

  async delete(model: string): Promise<void> {
    await this.call("DELETE", "/api/delete", { model });
  }

  async hasBlob(digest: string): Promise<boolean> {
    try {
      await this.call("HEAD", `/api/blobs/${digest}`);
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return false;
      throw e;
    }
  }

  async createBlob(digest: string, body: ReadableStream<Uint8Array>, size: number): Promise<void> {
    await this.call("POST", `/api/blobs/${digest}`, body, {
      headers: { "Content-Type": "application/octet-stream", "Content-Length": String(size) },
      duplex: "half",
    } as RequestInit);
  }

  async *create(req: CreateRequest, signal?: AbortSignal): AsyncIterable<ProgressResponse> {
    yield* ndjsonLines<ProgressResponse>((await this.request("POST", "/api/create", req, { signal })).body!);
  }

  async *pull(req: PullRequest, signal?: AbortSignal): AsyncIterable<ProgressResponse> {
    yield* ndjsonLines<ProgressResponse>((await this.request("POST", "/api/pull", req, { signal })).body!);
  }

  async *push(req: PullRequest, signal?: AbortSignal): AsyncIterable<ProgressResponse> {
    yield* ndjsonLines<ProgressResponse>((await this.request("POST", "/api/push", req, { signal })).body!);
  }

  async *generate(req: GenerateRequest, signal?: AbortSignal): AsyncIterable<GenerateResponse> {
    yield* ndjsonLines<GenerateResponse>((await this.request("POST", "/api/generate", req, { signal })).body!);
  }

  async *chat(req: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatResponse> {
    yield* ndjsonLines<ChatResponse>((await this.request("POST", "/api/chat", req, { signal })).body!);
  }

  async embed(req: EmbedRequest): Promise<EmbedResponse> {
    return (await this.request("POST", "/api/embed", req)).json() as Promise<EmbedResponse>;
  }
}
