// A bounded soak (issue 15): a few thousand requests mixing every dialect (native, OpenAI, Anthropic),
// streaming and not, valid and malformed, with clients that disconnect mid-stream, against one real
// `herd serve` on stories260K over loopback. Reports latency, runner restarts (must be 0), 5xx answers (only
// the kinds where Ollama answers 5xx may give one) and the server's memory: RSS and V8 heap used when idle,
// after a warm-up and at the end, and RSS growth after the warm-up beside issue 15's 10% target. The
// figures come from src/testing/memory-probe.ts, preloaded into the server by NODE_OPTIONS (nothing of it
// ships); SOAK_TRACE=1 prints a sample every 1,000 requests (V8 spaces, smaps, handles), SOAK_SNAPSHOTS=dir
// writes a heap snapshot with each, SOAK_SERVER_NODE_OPTIONS adds node flags to the server (diagnosis).
// Anchor: the same valid request measured alone on the idle server before the soak.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { model, REPO_ROOT, tempDir } from "../src/testing/fixtures.js";
import type { MemorySample } from "../src/testing/memory-probe.js";
import { createModel, runnerPids, startServer } from "../test/e2e/harness.js";

const REQUESTS = Number(process.env.SOAK_REQUESTS ?? 3000);
const CONCURRENCY = 4;
/** Issue 15: after warm-up, the server's RSS over the soak grows by at most this much. */
const TARGET_GROWTH_PCT = 10;
/** How long the server is left idle after the soak before the last sample. */
const SETTLE_MS = 20_000;

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

/** Asks the server's memory probe (src/testing/memory-probe.ts) for one sample and waits for it. */
async function probe(pid: number, file: string): Promise<MemorySample> {
  const count = () => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0);
  const before = count();
  process.kill(pid, "SIGUSR2");
  const deadline = Date.now() + 60_000;
  while (count() === before) {
    if (Date.now() > deadline) throw new Error("the memory probe did not answer");
    await new Promise((r) => setTimeout(r, 20));
  }
  return JSON.parse(readFileSync(file, "utf8").trim().split("\n").at(-1)!) as MemorySample;
}

const mb = (bytes: number) => bytes / 2 ** 20;

export async function run(): Promise<Record<string, number | string>> {
  const { dir, cleanup } = tempDir("herd-soak-");
  const file = join(dir, "memory.jsonl");
  const probeModule = pathToFileURL(join(REPO_ROOT, "dist", "src", "testing", "memory-probe.js")).href;
  const srv = await startServer({
    OLLAMA_KEEP_ALIVE: "1h",
    NODE_OPTIONS: [process.env.NODE_OPTIONS, process.env.SOAK_SERVER_NODE_OPTIONS, `--import=${probeModule}`].filter(Boolean).join(" "),
    HERD_MEMORY_PROBE_FILE: file,
    ...(process.env.SOAK_SNAPSHOTS ? { HERD_MEMORY_PROBE_SNAPSHOTS: process.env.SOAK_SNAPSHOTS } : {}),
  });
  const trace = (label: string, s: MemorySample) => {
    if (!process.env.SOAK_TRACE) return;
    const a = s.smaps;
    process.stderr.write(
      `  ${label.padEnd(12)} rss ${mb(s.rss).toFixed(1)} heapTotal ${mb(s.heapTotal).toFixed(1)} heapUsed ${mb(s.heapUsed).toFixed(1)} ` +
        `external ${mb(s.external).toFixed(1)} arrayBuffers ${mb(s.arrayBuffers).toFixed(1)} anon ${mb(a.Anonymous ?? 0).toFixed(1)} ` +
        `file ${mb((a.Rss ?? 0) - (a.Anonymous ?? 0)).toFixed(1)} maps ${s.mappings}\n    spaces ${Object.entries(s.spaces).filter(([, v]) => v.size).map(([k, v]) => `${k.replace("_space", "")} ${mb(v.used).toFixed(1)}/${mb(v.size).toFixed(1)}`).join(" ")} handles ${JSON.stringify(s.handles)}\n`,
    );
  };
  try {
    await createModel(srv.url, "stories", model("stories260K.gguf"));
    await send(srv.url, KINDS[0]); // load
    const anchor: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await send(srv.url, KINDS[0]);
      anchor.push(performance.now() - t0);
    }
    const idle = await probe(srv.pid, file);
    trace("idle", idle);
    // Warm-up: every kind 20 times at the soak's concurrency (JIT, lazily loaded modules, caches, and V8's
    // heap sized for this load) before RSS counts.
    let w = 0;
    const warmer = async () => {
      while (w < KINDS.length * 20) await send(srv.url, KINDS[w++ % KINDS.length]).catch(() => 0);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, warmer));
    const warm = await probe(srv.pid, file);
    trace("warm-up", warm);
    let rssMax = warm.rss;
    const pids = new Set(runnerPids(srv.pid));
    const latencies: number[] = [];
    let fiveXX = 0;
    let unexpected5xx = 0;
    let next = 0;
    let sampling: Promise<void> = Promise.resolve();
    const worker = async () => {
      while (next < REQUESTS) {
        const n = next++;
        const kind = KINDS[n % KINDS.length];
        const t0 = performance.now();
        const status = await send(srv.url, kind).catch(() => 0);
        latencies.push(performance.now() - t0);
        if (status >= 500) {
          fiveXX++;
          if (!kind.ollama5xx) unexpected5xx++;
        }
        if (n % 100 === 99) for (const p of runnerPids(srv.pid)) pids.add(p);
        if (n % 1000 === 999) {
          sampling = sampling.then(async () => {
            const s = await probe(srv.pid, file);
            rssMax = Math.max(rssMax, s.rss);
            trace(`${n + 1}`, s);
          });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await sampling;
    for (const p of runnerPids(srv.pid)) pids.add(p);
    const end = await probe(srv.pid, file);
    trace("end", end);
    rssMax = Math.max(rssMax, end.rss);
    // What stays once the server is idle again (V8 gives memory back after some seconds without allocation).
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const settled = await probe(srv.pid, file);
    trace("settled", settled);
    const growth = ((end.rss - warm.rss) / warm.rss) * 100;
    return {
      requests: latencies.length,
      p50_ms: percentile(latencies, 50),
      p99_ms: percentile(latencies, 99),
      anchor_idle_generate_p50_ms: percentile(anchor, 50),
      rss_idle_mb: mb(idle.rss),
      rss_after_warmup_mb: mb(warm.rss),
      rss_end_mb: mb(end.rss),
      rss_max_mb: mb(rssMax),
      rss_growth_after_warmup_pct: growth,
      rss_growth_target: `<= ${TARGET_GROWTH_PCT}% (${growth <= TARGET_GROWTH_PCT ? "met" : "MISSED"})`,
      rss_idle_again_mb: mb(settled.rss),
      heap_used_idle_mb: mb(idle.heapUsed),
      heap_used_after_warmup_mb: mb(warm.heapUsed),
      heap_used_end_mb: mb(end.heapUsed),
      heap_used_idle_again_mb: mb(settled.heapUsed),
      heap_total_after_warmup_mb: mb(warm.heapTotal),
      heap_total_end_mb: mb(end.heapTotal),
      external_after_warmup_mb: mb(warm.external),
      external_end_mb: mb(end.external),
      runner_restarts: Math.max(0, pids.size - 1),
      runner_restarts_target: "0",
      responses_5xx: fiveXX,
      responses_5xx_where_ollama_answers_2xx_4xx: unexpected5xx,
    };
  } finally {
    await srv.stop();
    cleanup();
  }
}

if (fileURLToPath(import.meta.url) === process.argv[1]) console.log(await run());
