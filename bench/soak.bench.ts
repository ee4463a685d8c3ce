// A bounded soak (issue 15): a few thousand requests mixing every dialect (native, OpenAI, Anthropic),
// streaming and not, valid and malformed, with clients that disconnect mid-stream, against one real
// `herd serve` on stories260K over loopback. Reports latency, server RSS at start and end, runner
// restarts (must be 0) and 5xx answers (only the kinds where Ollama answers 5xx may give one).
// Anchor: the same valid request measured alone on the idle server before the soak.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { model } from "../src/testing/fixtures.js";
import { childPids, createModel, startServer } from "../test/e2e/harness.js";

const REQUESTS = Number(process.env.SOAK_REQUESTS ?? 3000);
const CONCURRENCY = 4;

interface Kind {
  path: string;
  body?: string | Record<string, unknown>;
  /** Read one chunk, then hang up. */
  disconnect?: boolean;
  /** Ollama answers 5xx here too (e.g. its runner cannot detokenize an out-of-vocabulary `context`). */
  ollama5xx?: boolean;
}

const msgs = [{ role: "user", content: "Tell me a story" }];
const opts = { temperature: 0, num_predict: 6 };
export const KINDS: Kind[] = [
  { path: "/api/generate", body: { model: "stories", prompt: "Once upon a time", stream: false, options: opts } },
  { path: "/api/generate", body: { model: "stories", prompt: "Once upon a time", options: opts } },
  { path: "/api/chat", body: { model: "stories", messages: msgs, options: opts } },
  { path: "/api/chat", body: { model: "stories", messages: msgs, stream: false, format: "json", options: opts } },
  { path: "/api/embed", body: { model: "stories", input: ["a", "b"] } },
  { path: "/v1/chat/completions", body: { model: "stories", messages: msgs, max_tokens: 6, stream: true } },
  { path: "/v1/chat/completions", body: { model: "stories", messages: msgs, max_tokens: 6 } },
  { path: "/v1/completions", body: { model: "stories", prompt: "Once", max_tokens: 6 } },
  { path: "/v1/messages", body: { model: "stories", messages: msgs, max_tokens: 6 } },
  { path: "/v1/messages", body: { model: "stories", messages: msgs, max_tokens: 6, stream: true } },
  { path: "/v1/responses", body: { model: "stories", input: "hi", max_output_tokens: 6 } },
  { path: "/api/tags" },
  { path: "/api/show", body: { model: "stories" } },
  { path: "/api/ps" },
  // Disconnects mid-stream.
  { path: "/api/generate", body: { model: "stories", prompt: "Once", options: { num_predict: 400 } }, disconnect: true },
  { path: "/v1/chat/completions", body: { model: "stories", messages: msgs, max_tokens: 400, stream: true }, disconnect: true },
  { path: "/v1/messages", body: { model: "stories", messages: msgs, max_tokens: 400, stream: true }, disconnect: true },
  // Malformed and hostile.
  { path: "/api/generate", body: "{not json" },
  { path: "/api/chat", body: "\ufeff" + JSON.stringify({ model: "stories", messages: msgs }) },
  { path: "/api/generate", body: `{"model":"stories","format":${'{"a":'.repeat(10_001)}1${"}".repeat(10_001)}}` },
  { path: "/api/generate", body: '{"model":"stories","prompt":"x","options":{"seed":1e400}}' },
  { path: "/api/generate", body: { model: "stories", prompt: "x", context: [99999999] }, ollama5xx: true },
  { path: "/api/generate", body: { model: "stories", prompt: "x", context: [0.5] } },
  { path: "/api/chat", body: { model: "nope", messages: msgs } },
  { path: "/api/rerank", body: { model: "stories", query: "q", documents: ["a", "b"] } },
  { path: "/v1/chat/completions", body: { model: "stories", messages: "x" } },
  { path: "/v1/messages", body: { model: "stories", messages: msgs } },
  { path: "/api/show", body: { model: "../../etc/passwd" } },
];

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export async function send(url: string, kind: Kind): Promise<number> {
  const init: RequestInit = kind.body === undefined ? {} : { method: "POST", body: typeof kind.body === "string" ? kind.body : JSON.stringify(kind.body) };
  const ac = new AbortController();
  const res = await fetch(url + kind.path, { ...init, signal: ac.signal });
  if (kind.disconnect && res.body) {
    const reader = res.body.getReader();
    await reader.read();
    ac.abort();
    await reader.read().catch(() => undefined);
  } else {
    await res.arrayBuffer();
  }
  return res.status;
}

export async function run(): Promise<Record<string, number>> {
  const srv = await startServer({ OLLAMA_KEEP_ALIVE: "1h" });
  const rssMb = () => Number(readFileSync(`/proc/${srv.pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
  try {
    await createModel(srv.url, "stories", model("stories260K.gguf"));
    await send(srv.url, KINDS[0]); // load
    const anchor: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await send(srv.url, KINDS[0]);
      anchor.push(performance.now() - t0);
    }
    const rssIdle = rssMb();
    // Warm-up: every kind 20 times (JIT, lazily loaded modules, caches, heap sizing) before RSS counts.
    for (let i = 0; i < KINDS.length * 20; i++) await send(srv.url, KINDS[i % KINDS.length]).catch(() => 0);
    const rssStart = rssMb();
    let rssMax = rssStart;
    const pids = new Set(childPids(srv.pid));
    const latencies: number[] = [];
    let fiveXX = 0;
    let unexpected5xx = 0;
    let next = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        const kind = KINDS[next++ % KINDS.length];
        const t0 = performance.now();
        const status = await send(srv.url, kind).catch(() => 0);
        latencies.push(performance.now() - t0);
        if (status >= 500) {
          fiveXX++;
          if (!kind.ollama5xx) unexpected5xx++;
        }
        if (next % 100 === 0) {
          for (const p of childPids(srv.pid)) pids.add(p);
          rssMax = Math.max(rssMax, rssMb());
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    for (const p of childPids(srv.pid)) pids.add(p);
    const rssEnd = rssMb();
    return {
      requests: latencies.length,
      p50_ms: percentile(latencies, 50),
      p99_ms: percentile(latencies, 99),
      anchor_idle_generate_p50_ms: percentile(anchor, 50),
      rss_idle_mb: rssIdle,
      rss_after_warmup_mb: rssStart,
      rss_end_mb: rssEnd,
      rss_max_mb: rssMax,
      rss_end_vs_warmup_pct: ((rssEnd - rssStart) / rssStart) * 100,
      runner_restarts: Math.max(0, pids.size - 1),
      responses_5xx: fiveXX,
      responses_5xx_where_ollama_answers_2xx_4xx: unexpected5xx,
    };
  } finally {
    await srv.stop();
  }
}

if (fileURLToPath(import.meta.url) === process.argv[1]) console.log(await run());
