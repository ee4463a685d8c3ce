// herd's HTTP path (`herd serve` → /api/generate, NDJSON) against a direct node-llama-cpp loop on the
// same model and thread count. Targets (issue 4): generation tokens/s ≥ 0.95× direct, time to first
// token within 15 ms of direct, and a second chat turn that evaluates only its new tokens.

import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { fileURLToPath, pathToFileURL } from "node:url";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { Client } from "../src/api/client.js";
import type { GenerateResponse } from "../src/api/types.js";
/** node-llama-cpp attaches no persistent thread pool: one thread is its best count (threads.ts). */
const DEFAULT_THREADS = 1;
import { model } from "../src/testing/fixtures.js";
import { startServer } from "../test/e2e/harness.js";
import { median } from "./stats.js";

const N = 512;
const ROUNDS = 11;
const CTX = 2048;


function prompt(i: number): string {
  // A different first token each round, so neither side reuses a cached prompt.
  return `${i + 1}. Once upon a time there was a`;
}

interface Round {
  ttftMs: number;
  tps: number;
  engineTps?: number;
}

/** The same model and threads driven directly: tokenize, evaluate greedily, count. */
async function directEngine(path: string) {
  const llama = await getLlama({ gpu: false, build: "never", skipDownload: true, maxThreads: DEFAULT_THREADS, logLevel: LlamaLogLevel.error, progressLogs: false });
  const m = await llama.loadModel({ modelPath: path, useMmap: false });
  const ctx = await m.createContext({ contextSize: CTX, threads: DEFAULT_THREADS });
  const seq = ctx.getSequence();
  return {
    async round(r: number): Promise<Round> {
      await seq.clearHistory();
      const tokens = m.tokenize(prompt(r), true);
      const t0 = performance.now();
      let first = 0;
      let n = 0;
      for await (const _ of seq.evaluate(tokens, { temperature: 0 })) {
        if (n === 0) first = performance.now();
        if (++n >= N) break;
      }
      return { ttftMs: first - t0, tps: (n - 1) / ((performance.now() - first) / 1000) };
    },
    async close() {
      await ctx.dispose();
      await m.dispose();
      await llama.dispose();
    },
  };
}

async function httpRound(url: string, name: string, r: number): Promise<Round> {
  const t0 = performance.now();
  let first = 0;
  let last: GenerateResponse | undefined;
  const stream = new Client(url).generate({ model: name, prompt: prompt(r), raw: true, options: { temperature: 0, num_predict: N, num_ctx: CTX } });
  for await (const chunk of stream) {
    if (!first && chunk.response) first = performance.now();
    if (chunk.done) last = chunk;
  }
  const end = performance.now();
  const evalCount = last!.eval_count!;
  return { ttftMs: first - t0, tps: (evalCount - 1) / ((end - first) / 1000), engineTps: evalCount / (last!.eval_duration! / 1e9) };
}

async function createModel(url: string, name: string, path: string): Promise<void> {
  const bytes = readFileSync(path);
  const digest = "sha256:" + createHash("sha256").update(bytes).digest("hex");
  await fetch(`${url}/api/blobs/${digest}`, { method: "POST", body: bytes });
  const r = await fetch(`${url}/api/create`, { method: "POST", body: JSON.stringify({ model: name, files: { "model.gguf": digest }, stream: false }) });
  if (!r.ok) throw new Error(await r.text());
}

async function secondTurn(url: string, name: string): Promise<Record<string, number>> {
  const chat = async (messages: { role: string; content: string }[]) =>
    (await fetch(`${url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({ model: name, messages, stream: false, options: { temperature: 0, num_predict: 16, num_ctx: CTX } }),
    }).then((r) => r.json())) as { message: { content: string }; prompt_eval_count: number; prompt_eval_duration: number };
  const turn1 = [{ role: "user", content: "Tell me a story about a dog and a ball in the park." }];
  const a = await chat(turn1);
  const b = await chat([...turn1, { role: "assistant", content: a.message.content }, { role: "user", content: "And then?" }]);
  return {
    turn1_prompt_eval_count: a.prompt_eval_count,
    turn1_prompt_eval_ms: a.prompt_eval_duration / 1e6,
    turn2_prompt_eval_count: b.prompt_eval_count,
    turn2_prompt_eval_ms: b.prompt_eval_duration / 1e6,
  };
}

export async function run(): Promise<Record<string, number>> {
  const out: Record<string, number> = { threads: DEFAULT_THREADS };
  const srv = await startServer({ OLLAMA_KEEP_ALIVE: "10m" });
  try {
    for (const [label, file] of [["stories260K", "stories260K.gguf"], ["synth58M_q4_0", "bench/synth-llama-58M-q4_0.gguf"]]) {
      const path = model(file);
      await createModel(srv.url, label.toLowerCase(), path);
      // Rounds alternate between the two paths, so drift in the machine's speed hits both alike;
      // while one path runs, the other is idle.
      const engine = await directEngine(path);
      const hs: Round[] = [];
      const ds: Round[] = [];
      for (let r = 0; r <= ROUNDS; r++) {
        const hr = await httpRound(srv.url, label.toLowerCase(), r);
        const dr = await engine.round(r);
        if (r > 0) {
          hs.push(hr);
          ds.push(dr);
        }
      }
      await engine.close();
      const h = { ttftMs: median(hs.map((x) => x.ttftMs)), tps: median(hs.map((x) => x.tps)), engineTps: median(hs.map((x) => x.engineTps!)) };
      const d = { ttftMs: median(ds.map((x) => x.ttftMs)), tps: median(ds.map((x) => x.tps)) };
      out[`${label}_direct_tok_per_s`] = d.tps;
      out[`${label}_herd_tok_per_s`] = h.tps;
      out[`${label}_herd_engine_tok_per_s`] = h.engineTps;
      // Each herd round against the direct round right after it: the machine's speed drifts by more
      // than the difference measured (two identical direct contexts differ by 0.97-1.15x here).
      out[`${label}_tps_ratio (target >= 0.95)`] = median(hs.map((x, i) => x.tps / ds[i].tps));
      out[`${label}_tps_ratio_of_medians`] = h.tps / d.tps;
      out[`${label}_direct_ttft_ms`] = d.ttftMs;
      out[`${label}_herd_ttft_ms`] = h.ttftMs;
      out[`${label}_ttft_diff_ms (target <= 15)`] = h.ttftMs - d.ttftMs;
    }
    Object.assign(out, await secondTurn(srv.url, "stories260k"));
  } finally {
    await srv.stop();
  }
  return out;
}

if (fileURLToPath(import.meta.url) === process.argv[1] || import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(await run());
}
