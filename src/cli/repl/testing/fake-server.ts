// An in-process stand-in for an Ollama server, for CLI tests: scripted /api/show, /api/pull,
// /api/generate, /api/chat, /api/embed and /api/create, recording every request it receives.

import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { ShowResponse } from "../../../api/types.js";

export interface RecordedRequest {
  path: string;
  body: Record<string, unknown>;
  /** Set when the client went away before the stream ended. */
  aborted?: boolean;
}

export interface FakeReply {
  /** Content pieces, one NDJSON chunk each. */
  content: string[];
  thinking?: string[];
  /** Delay before each chunk. */
  delayMs?: number;
}

export interface FakeOptions {
  /** Models the server knows, by the name the client sends. */
  models: Record<string, Partial<ShowResponse>>;
  /** Models /api/pull can fetch (they become known after the pull). */
  pullable?: Record<string, Partial<ShowResponse>>;
  /** Replies handed out in order to /api/generate and /api/chat calls with a prompt/message. */
  replies: FakeReply[];
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
}

export const FINAL_METRICS = {
  total_duration: 4935886791,
  load_duration: 534986708,
  prompt_eval_count: 26,
  prompt_eval_duration: 107345000,
  eval_count: 237,
  eval_duration: 4289432000,
};

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** The reply queue; tests may refill it between runs. */
  replies: FakeReply[];
  close(): Promise<void>;
}

function showResponse(p: Partial<ShowResponse>): ShowResponse {
  return {
    modelfile: "FROM fake\n",
    parameters: "",
    template: "{{ .Prompt }}",
    details: { parent_model: "", format: "gguf", family: "llama", families: ["llama"], parameter_size: "260K", quantization_level: "F32" },
    model_info: { "general.architecture": "llama" },
    capabilities: ["completion"],
    modified_at: new Date().toISOString(),
    ...p,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeOllama(opts: FakeOptions): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const replies = [...opts.replies];
  const app = new Hono();

  app.onError((e) => {
    process.stderr.write(`fake server error: ${e.stack}\n`);
    return new Response(JSON.stringify({ error: e.message }), { status: 500 });
  });
  // Hono answers HEAD through the GET route.
  app.get("/", (c) => c.text("Ollama is running"));

  app.post("/api/show", async (c) => {
    const body = await c.req.json();
    requests.push({ path: "/api/show", body });
    const m = opts.models[body.model];
    if (!m) return c.json({ error: `model '${body.model}' not found` }, 404);
    return c.json(showResponse(m));
  });

  app.post("/api/pull", async (c) => {
    const body = await c.req.json();
    requests.push({ path: "/api/pull", body });
    const m = opts.pullable?.[body.model];
    const lines = m
      ? [{ status: "pulling manifest" }, { status: "pulling 6a0746a1ec1a", digest: "sha256:6a0746a1ec1a", total: 100, completed: 100 }, { status: "verifying sha256 digest" }, { status: "writing manifest" }, { status: "success" }]
      : [{ status: "pulling manifest" }, { error: "pull model manifest: file does not exist" }];
    if (m) opts.models[body.model] = m;
    return new Response(lines.map((l) => JSON.stringify(l) + "\n").join(""), { headers: { "Content-Type": "application/x-ndjson" } });
  });

  const stream = (kind: "generate" | "chat", rec: RecordedRequest, model: string, reply: FakeReply | undefined) => {
    const chunk = (content: string, thinking: string | undefined, done: boolean) => {
      const base = { model, created_at: new Date().toISOString() };
      const body =
        kind === "generate"
          ? { ...base, response: content, ...(thinking ? { thinking } : {}), done }
          : { ...base, message: { role: "assistant", content, ...(thinking ? { thinking } : {}) }, done };
      return JSON.stringify(done ? { ...body, done_reason: reply ? "stop" : "load", ...(reply ? FINAL_METRICS : {}) } : body) + "\n";
    };
    const pieces: [string, string | undefined][] = reply ? [...(reply.thinking ?? []).map((t): [string, string] => ["", t]), ...reply.content.map((c): [string, undefined] => [c, undefined])] : [];
    let i = 0;
    const enc = new TextEncoder();
    return new Response(
      new ReadableStream<Uint8Array>({
        async pull(ctrl) {
          if (reply?.delayMs) await sleep(reply.delayMs);
          if (i < pieces.length) {
            const [content, thinking] = pieces[i++];
            ctrl.enqueue(enc.encode(chunk(content, thinking, false)));
          } else {
            ctrl.enqueue(enc.encode(chunk("", undefined, true)));
            ctrl.close();
          }
        },
        cancel() {
          rec.aborted = true;
        },
      }),
      { headers: { "Content-Type": "application/x-ndjson" } },
    );
  };

  app.post("/api/generate", async (c) => {
    const body = await c.req.json();
    const rec: RecordedRequest = { path: "/api/generate", body };
    requests.push(rec);
    if (!opts.models[body.model]) return c.json({ error: `model '${body.model}' not found` }, 404);
    return stream("generate", rec, body.model, body.prompt ? replies.shift() ?? { content: [] } : undefined);
  });

  app.post("/api/chat", async (c) => {
    const body = await c.req.json();
    const rec: RecordedRequest = { path: "/api/chat", body };
    requests.push(rec);
    if (!opts.models[body.model]) return c.json({ error: `model '${body.model}' not found` }, 404);
    return stream("chat", rec, body.model, body.messages?.length ? replies.shift() ?? { content: [] } : undefined);
  });

  app.post("/api/embed", async (c) => {
    const body = await c.req.json();
    requests.push({ path: "/api/embed", body });
    return c.json({ model: body.model, embeddings: [[0.25, -0.5, 0.125]] });
  });

  app.post("/api/create", async (c) => {
    const body = await c.req.json();
    requests.push({ path: "/api/create", body });
    opts.models[body.model] = { capabilities: ["completion"] };
    return new Response(JSON.stringify({ status: "writing manifest" }) + "\n" + JSON.stringify({ status: "success" }) + "\n");
  });

  app.get("/api/blobs/:digest", (c) => c.body(null, requests.some((r) => r.path === `/api/blobs/${c.req.param("digest")}`) ? 200 : 404));
  app.post("/api/blobs/:digest", async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    requests.push({ path: `/api/blobs/${c.req.param("digest")}`, body: { size: bytes.length } });
    return c.body(null, 201);
  });

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname: "127.0.0.1", overrideGlobalObjects: false }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    replies,
    close: () =>
      new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
