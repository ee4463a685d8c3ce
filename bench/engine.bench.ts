// herd's engine against a direct C-API loop over the same libraries (in this process, through the same koffi
// binding, no child, no IPC, no HTTP), at the loop's best thread count. Targets (issue 10):
//   generation through /api/generate ≥ 0.95× the loop; a 512-token prompt ≥ 0.9×; 4 concurrent clients
//   ≥ 2× one client's aggregate and one client with 4 slots ≥ 0.97× a single-slot runner; first request to a
//   model not loaded ≤ 300 ms (stories260K) / ≤ 500 ms (synth-58M); 64 embeddings in one request ≥ 5× one by one.

import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { Client } from "../src/api/client.js";
import type { GenerateResponse } from "../src/api/types.js";
import { Batch } from "../src/runner/engine/batch.js";
import { LoadedModel } from "../src/runner/engine/model.js";
import { EngineRunner } from "../src/runner/engine/runner.js";
import { captureLog, loadLlama } from "../src/runner/native/index.js";
import { cpuTopology, defaultThreads } from "../src/runner/threads.js";
import type { CompletionChunk, LoadOptions } from "../src/runner/types.js";
import { model } from "../src/testing/fixtures.js";
import { startServer } from "../test/e2e/harness.js";

const GEN = 256;
const CTX = 2048;
const ROUNDS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const story = (i: number) => `${i + 1}. Once upon a time there was a`;
// The prompt-phase figure compares one decode of at most 512 tokens on both sides: the sentence repeats as many
// times as fit the model's tokenizer (26 repeats were 759 tokens on stories260K's 512-token vocabulary and 551
// on synth-58M, so herd decoded 2 batches over a longer context where the loop, cut at 511, decoded one).
const longPrompt = (i: number, repeats: number) => `${i}. ` + "Once upon a time there was a little dog who liked to play in the park with a red ball. ".repeat(repeats);
const PROMPT_TOKENS = 511;

/** The anchor: load, decode the prompt in one batch, generate greedily token by token; times both phases. */
function directLoop(path: string, threads: number) {
  const api = loadLlama({ gpu: false });
  const restoreLog = captureLog(api, () => undefined);
  const m = LoadedModel.load(api, path, { useMmap: false, gpuLayers: 0 });
  const ctx = m.createContext({ nCtx: CTX, nBatch: 512, nSeqMax: 1, threads, threadsBatch: threads, embeddings: false });
  restoreLog();
  const batch = new Batch(api, 512);
  const chain = api.llama_sampler_chain_init(api.llama_sampler_chain_default_params());
  api.llama_sampler_chain_add(chain, api.llama_sampler_init_greedy());
  return {
    tokens: (prompt: string) => m.tokenize(prompt).length,
    run(prompt: string, n: number) {
      api.llama_memory_clear(ctx.mem, true);
      const tokens = m.tokenize(prompt);
      if (tokens.length > PROMPT_TOKENS) throw new Error(`prompt of ${tokens.length} tokens exceeds one batch`);
      batch.clear();
      tokens.forEach((t, i) => batch.add(t, i, 0, i === tokens.length - 1));
      const t0 = performance.now();
      api.llama_decode(ctx.ptr, batch.value);
      let tok = api.llama_sampler_sample(chain, ctx.ptr, tokens.length - 1);
      const t1 = performance.now();
      for (let i = 1; i < n; i++) {
        batch.clear();
        batch.add(tok, tokens.length + i - 1, 0, true);
        api.llama_decode(ctx.ptr, batch.value);
        tok = api.llama_sampler_sample(chain, ctx.ptr, 0);
      }
      const t2 = performance.now();
      return { promptTps: tokens.length / ((t1 - t0) / 1000), genTps: (n - 1) / ((t2 - t1) / 1000) };
    },
    close() {
      api.llama_sampler_free(chain);
      batch.dispose();
      m.freeContext(ctx);
      m.free();
    },
  };
}

/** The loop's figures at its best thread count (1 or the hardware default, best of each). */
function anchor(path: string, cpu: ReturnType<typeof cpuTopology>) {
  let best = { threads: 1, genTps: 0, promptTps: 0 };
  let repeats = 1;
  let promptTokens = 0;
  for (const threads of [...new Set([1, defaultThreads(cpu)])]) {
    const loop = directLoop(path, threads);
    while (loop.tokens(longPrompt(ROUNDS, repeats + 1)) <= PROMPT_TOKENS) repeats++;
    promptTokens = loop.tokens(longPrompt(ROUNDS, repeats));
    loop.run(story(0), 16);
    const gens: number[] = [];
    const prompts: number[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      gens.push(loop.run(story(r), GEN).genTps);
      prompts.push(loop.run(longPrompt(r, repeats), 2).promptTps);
    }
    loop.close();
    if (median(gens) > best.genTps) best = { threads, genTps: median(gens), promptTps: median(prompts) };
  }
  return { best, repeats, promptTokens };
}

async function createModel(url: string, name: string, path: string): Promise<void> {
  const bytes = readFileSync(path);
  const digest = "sha256:" + createHash("sha256").update(bytes).digest("hex");
  await fetch(`${url}/api/blobs/${digest}`, { method: "POST", body: bytes });
  const r = await fetch(`${url}/api/create`, { method: "POST", body: JSON.stringify({ model: name, files: { "model.gguf": digest }, stream: false }) });
  if (!r.ok) throw new Error(await r.text());
}

async function httpGenerate(url: string, name: string, prompt: string, n: number, numThread?: number): Promise<GenerateResponse> {
  let last: GenerateResponse | undefined;
  const options = { temperature: 0, num_predict: n, num_ctx: CTX, ...(numThread ? { num_thread: numThread } : {}) };
  for await (const chunk of new Client(url).generate({ model: name, prompt, raw: true, options })) if (chunk.done) last = chunk;
  return last!;
}

async function drain(it: AsyncIterable<CompletionChunk>): Promise<number> {
  let n = 0;
  for await (const c of it) if (c.type === "token") n += c.tokens.length;
  return n;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function run(): Promise<Record<string, number | string>> {
  const cpu = cpuTopology();
  const out: Record<string, number | string> = { default_threads: defaultThreads(cpu) };
  const models = [
    ["stories260K", model("stories260K.gguf")],
    ["synth58M_q4_0", model("bench/synth-llama-58M-q4_0.gguf")],
  ] as const;

  // The anchors first: the loop blocks this process for seconds, long enough for the server to close the
  // client's idle keep-alive socket unnoticed, and the next request on it then fails to connect.
  const anchors = new Map(models.map(([label, path]) => [label, anchor(path, cpu)]));

  // Cold first requests, before anything is loaded.
  const srv = await startServer({ OLLAMA_KEEP_ALIVE: "10m" });
  try {
    for (const [label, path] of models) {
      await createModel(srv.url, label.toLowerCase(), path);
      const t0 = performance.now();
      await httpGenerate(srv.url, label.toLowerCase(), "Once upon a time", 1);
      out[`${label}_cold_first_request_ms (target <= ${label.startsWith("stories") ? 300 : 500})`] = performance.now() - t0;
    }

    for (const [label] of models) {
      const { best, repeats, promptTokens } = anchors.get(label)!;
      const gens: number[] = [];
      const prompts: number[] = [];
      for (let r = 1; r <= ROUNDS; r++) {
        const g = await httpGenerate(srv.url, label.toLowerCase(), story(r), GEN);
        gens.push(g.eval_count! / (g.eval_duration! / 1e9));
        const p = await httpGenerate(srv.url, label.toLowerCase(), longPrompt(r, repeats), 2);
        prompts.push(p.prompt_eval_count! / (p.prompt_eval_duration! / 1e9));
      }
      out[`${label}_direct_best_threads`] = best.threads;
      out[`${label}_direct_gen_tok_per_s`] = best.genTps;
      out[`${label}_herd_gen_tok_per_s`] = median(gens);
      out[`${label}_gen_ratio (target >= 0.95)`] = median(gens) / best.genTps;
      // herd at the loop's best thread count as well, when its default differs: tells the thread policy's share
      // of the gap from the engine's own per-token cost.
      if (best.threads !== defaultThreads(cpu)) {
        const pinned: number[] = [];
        await httpGenerate(srv.url, label.toLowerCase(), story(0), 16, best.threads);
        for (let r = 1; r <= ROUNDS; r++) {
          const g = await httpGenerate(srv.url, label.toLowerCase(), story(r), GEN, best.threads);
          pinned.push(g.eval_count! / (g.eval_duration! / 1e9));
        }
        out[`${label}_herd_gen_tok_per_s_at_${best.threads}_threads`] = median(pinned);
        out[`${label}_gen_ratio_at_${best.threads}_threads`] = median(pinned) / best.genTps;
      }
      out[`${label}_prompt_tokens`] = promptTokens;
      out[`${label}_direct_prompt512_tok_per_s`] = best.promptTps;
      out[`${label}_herd_prompt512_tok_per_s`] = median(prompts);
      out[`${label}_prompt_ratio (target >= 0.9)`] = median(prompts) / best.promptTps;
    }
  } finally {
    await srv.stop();
  }

  // Concurrency at the runner: 4 clients on a 4-slot runner against one client alone, and one client on a
  // 4-slot runner against a 1-slot runner.
  const synth = models[1][1];
  const base: LoadOptions = { modelPath: synth, numCtx: 1024, numGpu: 0 };
  const gen = (r: EngineRunner, i: number) => drain(r.complete({ prompt: story(i), sampling: { temperature: 0, numPredict: 128 } }));
  const timed = async (f: () => Promise<number>) => {
    const t0 = performance.now();
    const n = await f();
    return n / ((performance.now() - t0) / 1000);
  };
  const one = await EngineRunner.create({ ...base, numParallel: 1 });
  const four = await EngineRunner.create({ ...base, numParallel: 4 });
  try {
    out.runner_idle_rss_MiB = rssMiB(one.pid!);
    await gen(one, 0);
    await gen(four, 0);
    const single: number[] = [];
    const slotted: number[] = [];
    const together: number[] = [];
    for (let r = 1; r <= 3; r++) {
      single.push(await timed(() => gen(one, r)));
      slotted.push(await timed(() => gen(four, r)));
      together.push(await timed(async () => (await Promise.all([0, 1, 2, 3].map((k) => gen(four, r * 10 + k)))).reduce((a, b) => a + b)));
    }
    out.synth58M_one_client_tok_per_s = median(single);
    out["synth58M_one_client_4_slots_ratio (target >= 0.97)"] = median(slotted) / median(single);
    out.synth58M_4_clients_aggregate_tok_per_s = median(together);
    out["synth58M_4_clients_ratio (target >= 2)"] = median(together) / median(single);
  } finally {
    await Promise.all([one.close(), four.close()]);
  }

  // Embeddings: 64 inputs in one request against one request per input. The first request of a new size
  // pays a one-time cost: llama.cpp's encoder reserves (and zeroes) an output buffer of n_vocab floats per
  // token of its largest decode. herd packs at most max(128, n_embd/2) tokens into a decode (engine/embed.ts),
  // so for this BERT that is 30522 × 128 × 4 B ≈ 16 MB (it was 70 MB with all ~580 tokens in one decode, 235 ms
  // against 18–25 ms for the same request afterwards). It is reported on its own; the speedup compares warm
  // requests, median of ROUNDS, each shape warmed first.
  const embedder = await EngineRunner.create({ modelPath: model("synthetic/bert-embed-synthetic.gguf"), numCtx: 512, numGpu: 0, embedding: true });
  try {
    const inputs = Array.from({ length: 64 }, (_, i) => `sentence number ${i} about dogs and parks`);
    await embedder.embed(inputs.slice(0, 1));
    let t0 = performance.now();
    await embedder.embed(inputs);
    out.embed64_first_request_ms = performance.now() - t0;
    const batched: number[] = [];
    const single: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      t0 = performance.now();
      await embedder.embed(inputs);
      batched.push(performance.now() - t0);
      t0 = performance.now();
      for (const s of inputs) await embedder.embed([s]);
      single.push(performance.now() - t0);
    }
    out.embed64_one_request_ms = median(batched);
    out.embed64_one_by_one_ms = median(single);
    out["embed64_speedup (target >= 5)"] = median(single) / median(batched);
  } finally {
    await embedder.close();
  }
  return out;
}
