// The anchor of the engine bench: a direct C-API loop over the same libraries herd's runner loads (in this
// process, through the same koffi binding, no child, no IPC, no HTTP), and llama-bench's figure when a build
// of it is present.

import { spawnSync } from "node:child_process";
import { Batch } from "../src/runner/engine/batch.js";
import { LoadedModel } from "../src/runner/engine/model.js";
import { captureLog, loadLlama } from "../src/runner/native/index.js";

/**
 * The anchor: load, decode the prompt in one batch, generate greedily token by token; times both phases. With
 * `seqs` > 1 the context holds that many sequences and `runMany` decodes one token of each per step.
 */
export function directLoop(path: string, o: { threads: number; seqs?: number; ctx: number; maxPrompt: number }) {
  const { threads, ctx: n, maxPrompt } = o;
  const seqs = o.seqs ?? 1;
  const api = loadLlama({ gpu: false });
  const restoreLog = captureLog(api, () => undefined);
  const m = LoadedModel.load(api, path, { useMmap: false, gpuLayers: 0 });
  // One KV stream per sequence, as herd's runner has them (engine/child.ts): for one sequence or all four
  // together, streams were the faster of the two layouts llama.cpp offers.
  const ctx = m.createContext({ nCtx: n * seqs, nBatch: 512, nSeqMax: seqs, kvUnified: false, threads, threadsBatch: threads, embeddings: false });
  restoreLog();
  const batch = new Batch(api, 512);
  const chain = api.llama_sampler_chain_init(api.llama_sampler_chain_default_params());
  api.llama_sampler_chain_add(chain, api.llama_sampler_init_greedy());
  return {
    tokens: (prompt: string) => m.tokenize(prompt).length,
    /** Decodes `prompt`, then `n - 1` more tokens after the first; tokens per second of each phase. */
    run(prompt: string, n: number) {
      api.llama_memory_clear(ctx.mem, true);
      const tokens = m.tokenize(prompt);
      if (tokens.length > maxPrompt) throw new Error(`prompt of ${tokens.length} tokens exceeds one batch`);
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
    /** One sequence per prompt, all decoded together, `n` tokens each; aggregate tokens per second (wall). */
    runMany(prompts: string[], n: number) {
      api.llama_memory_clear(ctx.mem, true);
      const t0 = performance.now();
      batch.clear();
      const lens = prompts.map((p, s) => {
        const tokens = m.tokenize(p);
        tokens.forEach((t, i) => batch.add(t, i, s, i === tokens.length - 1));
        return tokens.length;
      });
      api.llama_decode(ctx.ptr, batch.value);
      let outs = lens.map((_, s) => lens.slice(0, s + 1).reduce((a, b) => a + b) - 1);
      const cur = outs.map((o) => api.llama_sampler_sample(chain, ctx.ptr, o));
      for (let i = 1; i < n; i++) {
        batch.clear();
        outs = cur.map((t, s) => batch.add(t, lens[s] + i - 1, s, true));
        api.llama_decode(ctx.ptr, batch.value);
        outs.forEach((o, s) => (cur[s] = api.llama_sampler_sample(chain, ctx.ptr, o)));
      }
      return (prompts.length * n) / ((performance.now() - t0) / 1000);
    },
    close() {
      api.llama_sampler_free(chain);
      batch.dispose();
      m.freeContext(ctx);
      m.free();
    },
  };
}

export type Loop = ReturnType<typeof directLoop>;

/**
 * llama-bench's generation figure (128 tokens) when a build of it is on PATH or at HERD_LLAMA_BENCH: the same
 * source built as llama.cpp builds it (OpenMP), beside the loop over herd's prebuilt libraries.
 */
export function llamaBench(path: string, threads: number): number | string {
  const bin = process.env.HERD_LLAMA_BENCH || "llama-bench";
  const r = spawnSync(bin, ["-m", path, "-p", "0", "-n", "128", "-t", String(threads), "-o", "json"], { encoding: "utf8", timeout: 120_000 });
  if (r.error || r.status !== 0) return "not present (put llama-bench on PATH or set HERD_LLAMA_BENCH)";
  try {
    const rows = JSON.parse(r.stdout) as { n_gen: number; avg_ts: number }[];
    return rows.find((x) => x.n_gen > 0)?.avg_ts ?? "no generation row";
  } catch {
    return "unreadable output";
  }
}
