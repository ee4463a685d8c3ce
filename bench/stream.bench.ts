// Per-chunk cost of the streaming edge: the same 20,000 native chat chunks served as Ollama NDJSON
// (/api/chat) and as OpenAI SSE (/v1/chat/completions) over real HTTP, with an engine that costs
// nothing, so only framing, translation and socket writes are measured.

import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { ChatResponse } from "../src/api/types.js";
import { createApp, fetchHandler } from "../src/server/app.js";
import { noInference } from "../src/server/testing.js";
import { Models } from "../src/models/index.js";
import { Store } from "../src/store/index.js";
import { tempDir } from "../src/testing/fixtures.js";

const CHUNKS = 20_000;
/** Chunks per batch, as the runner hands them over: its 50 ms window at 2,000 tokens/s. */
const BATCH = 100;

async function* chunks(): AsyncIterable<ChatResponse[]> {
  const created_at = new Date().toISOString();
  for (let i = 0; i < CHUNKS; i += BATCH) {
    yield Array.from({ length: BATCH }, (): ChatResponse => ({ model: "m", created_at, message: { role: "assistant", content: " tok" }, done: false }));
  }
  yield [{ model: "m", created_at, message: { role: "assistant", content: "" }, done: true, done_reason: "stop", eval_count: CHUNKS, prompt_eval_count: 1 }];
}

async function timeStream(url: string, body: unknown): Promise<{ usPerChunk: number; bytes: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: "POST", body: JSON.stringify(body) });
  let bytes = 0;
  for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) bytes += c.length;
  return { usPerChunk: ((performance.now() - t0) * 1000) / CHUNKS, bytes };
}

export async function run(): Promise<Record<string, number>> {
  const { dir, cleanup } = tempDir("herd-bench-stream-");
  const store = new Store(dir);
  const app = createApp({
    store,
    models: new Models({ store }),
    inference: { ...noInference, chat: () => chunks() },
    origins: [],
    boundToLoopback: true,
    version: "bench",
  });
  const server = serve({ fetch: fetchHandler(app), hostname: "127.0.0.1", port: 0 });
  await new Promise((r) => server.once("listening", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const msgs = [{ role: "user", content: "hi" }];
    const best = async (path: string, body: unknown) => {
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await timeStream(base + path, body));
      return runs.sort((a, b) => a.usPerChunk - b.usPerChunk)[0];
    };
    const nd = await best("/api/chat", { model: "m", messages: msgs });
    const sse = await best("/v1/chat/completions", { model: "m", messages: msgs, stream: true });
    return {
      ndjson_us_per_chunk: nd.usPerChunk,
      sse_us_per_chunk: sse.usPerChunk,
      sse_minus_ndjson_us: sse.usPerChunk - nd.usPerChunk,
      ndjson_bytes_per_chunk: nd.bytes / CHUNKS,
      sse_bytes_per_chunk: sse.bytes / CHUNKS,
    };
  } finally {
    server.close();
    cleanup();
  }
}

if (fileURLToPath(import.meta.url) === process.argv[1]) console.log(await run());
