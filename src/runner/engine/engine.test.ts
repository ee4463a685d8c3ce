import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fixture, model, tempDir } from "../../testing/fixtures.js";
import { BadRequestError, CanceledError, ModelLoadError, RunnerCrashedError } from "../../util/errors.js";
import { collect, runnerContract } from "../testing/contract.js";
import { loadLlama } from "../native/index.js";
import { PROMPT_TOO_LONG } from "../prompt-fit.js";
import { cpuTopology } from "../threads.js";
import { estimateMemory } from "./estimate.js";
import { childEnv, createEngineRunner, EngineRunner } from "./runner.js";
import { LoadedModel } from "./model.js";

const STORIES = model("stories260K.gguf");
const LONG = "Once upon a time there was a dog. ".repeat(10); // 102 tokens
// One thread: the suites share a 2-core machine with other test files; the thread policy has its own tests.
const BASE = { numGpu: 0, numThread: 1 } as const;

runnerContract("engine (stories260K)", createEngineRunner, { modelPath: STORIES, numCtx: 256, ...BASE });

describe("engine runner on stories260K", () => {
  let main: EngineRunner;
  let small: EngineRunner;
  let noShift: EngineRunner;
  const smallLogs: string[] = [];
  before(async () => {
    [main, small, noShift] = await Promise.all([
      EngineRunner.create({ modelPath: STORIES, numCtx: 256, ...BASE }),
      EngineRunner.create({ modelPath: STORIES, numCtx: 64, ...BASE }, undefined, {
        onLog: (level, message, fields) => smallLogs.push(`${level}: ${message} ${JSON.stringify(fields ?? {})}`),
      }),
      EngineRunner.create({ modelPath: STORIES, numCtx: 64, shift: false, ...BASE }),
    ]);
  });
  after(async () => {
    await Promise.all([main?.close(), small?.close(), noShift?.close()]);
  });

  it("reports RAM for weights and context", () => {
    assert.ok(main.memory.ram > 1_000_000 && main.memory.ram < 50_000_000, String(main.memory.ram));
    assert.equal(main.memory.vram, 0);
  });

  it("format json schema constrains the output to values valid against it", async () => {
    const format = { type: "object", properties: { a: { type: "boolean" }, n: { type: "integer", minimum: 2, maximum: 9 } }, required: ["a", "n"] };
    const { text, done } = await collect(main, { prompt: "Once upon a time", format, sampling: { temperature: 0, numPredict: 60 } });
    const value = JSON.parse(text);
    assert.equal(typeof value.a, "boolean");
    assert.ok(Number.isInteger(value.n) && value.n >= 2 && value.n <= 9, text);
    assert.equal(done.reason, "stop");
  });

  it('format "json" constrains the output to a JSON object', async () => {
    const { text } = await collect(main, { prompt: "Once upon a time", format: "json", sampling: { temperature: 0, numPredict: 20 } });
    assert.match(text, /^\s*[{[]/);
  });

  it("reuses the KV cache for a shared prefix", async () => {
    await collect(main, { prompt: "Once upon a time, there was a dog", sampling: { temperature: 0, numPredict: 2 } });
    const { done } = await collect(main, { prompt: "Once upon a time, there was a dog named Max", sampling: { temperature: 0, numPredict: 2 } });
    const t = done.timings;
    assert.equal(t.promptTokens, (await main.tokenize("Once upon a time, there was a dog named Max")).length);
    assert.ok(t.promptEvaluated <= 4 && t.promptEvaluated >= 1, `evaluated ${t.promptEvaluated} of ${t.promptTokens}`);
  });

  it("truncates a long prompt per num_keep with Ollama's warning, or refuses it with truncate:false", async () => {
    smallLogs.length = 0;
    const { done } = await collect(small, { prompt: LONG, sampling: { temperature: 0, numPredict: 2, numKeep: 4 } });
    // 64 − max((64 − 4) / 2, 1) = 34 tokens: BOS + 4 kept + the last 29.
    assert.equal(done.timings.promptTokens, 34);
    const all = await small.tokenize(LONG);
    assert.deepEqual(done.tokens.slice(0, 34), [...all.slice(0, 5), ...all.slice(-29)]);
    assert.deepEqual(smallLogs, [`warn: truncating input prompt {"limit":34,"prompt":${all.length},"keep":5,"new":34}`]);
    // A prompt that fits says nothing.
    await collect(small, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 2 } });
    assert.equal(smallLogs.length, 1);
    await assert.rejects(
      collect(small, { prompt: LONG, truncate: false, sampling: { temperature: 0, numPredict: 2 } }),
      (e) => e instanceof BadRequestError && e.message === PROMPT_TOO_LONG,
    );
  });

  it("caps num_thread at the machine's CPUs, with a warning, and still generates", async () => {
    const logs: string[] = [];
    const runner = await EngineRunner.create({ modelPath: STORIES, numCtx: 64, numGpu: 0, numThread: 10_000 }, undefined, {
      onLog: (level, message, fields) => logs.push(`${level}: ${message} ${JSON.stringify(fields)}`),
    });
    try {
      const logical = cpuTopology().logical;
      assert.equal(runner.threads, logical);
      assert.ok(logs.includes(`warn: num_thread is more than this machine's CPUs; using fewer {"requested":10000,"threads":${logical}}`), logs.join("\n"));
      const { done } = await collect(runner, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 4 } });
      assert.equal(done.timings.evalTokens, 4);
    } finally {
      await runner.close();
    }
  });

  it("shifts the context during generation, or stops at its end with shift:false", async () => {
    const shifted = await collect(small, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 120 } });
    assert.equal(shifted.done.timings.evalTokens, 120);
    assert.equal(shifted.done.reason, "length");
    const ended = await collect(noShift, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 120 } });
    assert.equal(ended.done.reason, "length");
    assert.ok(ended.done.timings.evalTokens + 5 <= 64, String(ended.done.timings.evalTokens));
    await assert.rejects(collect(noShift, { prompt: LONG, sampling: { temperature: 0, numPredict: 2 } }), BadRequestError);
  });

  it("reports exact logprobs (log-softmax of the logits) with the top alternatives, at any temperature", async () => {
    const greedy = await collect(main, { prompt: "Once upon a time", logprobs: true, topLogprobs: 3, sampling: { temperature: 0, numPredict: 2 } });
    const first = greedy.chunks[0];
    assert.equal(first.type, "token");
    if (first.type !== "token") return;
    const lp = first.logprobs![0];
    assert.equal(lp.token, ",");
    assert.ok(lp.logprob < 0 && lp.logprob > -1);
    assert.equal(lp.top_logprobs!.length, 3);
    assert.equal(lp.top_logprobs![0].token, ",");
    assert.equal(lp.top_logprobs![0].logprob, lp.logprob);
    assert.ok(lp.top_logprobs![1].logprob < lp.logprob && lp.top_logprobs![2].logprob <= lp.top_logprobs![1].logprob);
    // A hot temperature changes the draw, not the model's probabilities.
    const hot = await collect(main, { prompt: "Once upon a time", logprobs: true, topLogprobs: 3, sampling: { temperature: 5, seed: 1, numPredict: 1 } });
    const h = hot.chunks[0];
    if (h.type !== "token") return assert.fail("token chunk");
    assert.deepEqual(h.logprobs![0].top_logprobs, lp.top_logprobs);
  });

  it("streams pieces that add up to the text", async () => {
    const { chunks, text } = await collect(main, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 12 } });
    const pieces = chunks.flatMap((c) => (c.type === "token" ? (c.pieces ?? []) : []));
    assert.equal(pieces.join(""), text);
  });

  it("sends the child an abort for a completion left before its end, none for one left at its final chunk", async () => {
    const child = (main as unknown as { child: ChildProcess }).child;
    const sent: string[] = [];
    const send = child.send.bind(child);
    child.send = ((m: { type: string }, ...rest: unknown[]) => (sent.push(m.type), (send as (...a: unknown[]) => boolean)(m, ...rest))) as typeof child.send;
    try {
      // Left at the final chunk, before the child's result: as inference's consumer leaves it.
      for await (const c of main.complete({ prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 4 } })) if (c.type === "done") break;
      // Left after the first token of a generation that would go on.
      for await (const c of main.complete({ prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 200 } })) if (c.type === "token") break;
    } finally {
      child.send = send;
    }
    assert.deepEqual(sent, ["complete", "complete", "abort"]);
  });

  it("keeps one BOS when the prompt text starts with it", async () => {
    assert.deepEqual(await main.tokenize("<s>Once upon a time"), await main.tokenize("Once upon a time"));
  });

  it("refuses out-of-vocabulary token ids instead of crashing", async () => {
    await assert.rejects(collect(main, { prompt: [1, 403, 99999], sampling: { temperature: 0, numPredict: 2 } }), BadRequestError);
    await assert.rejects(main.detokenize([-1]), BadRequestError);
    const { text } = await collect(main, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 4 } });
    assert.ok(text.startsWith(", there"));
  });

  it("decodes concurrent completions to the same text as one at a time", async () => {
    const req = (p: string) => ({ prompt: p, sampling: { temperature: 0, numPredict: 16 } });
    const alone = await collect(main, req("Once upon a time"));
    const [a, b] = await Promise.all([collect(main, req("Once upon a time")), collect(main, req("Lily went to the park"))]);
    assert.equal(a.text, alone.text);
    assert.ok(b.text.length > 0);
  });

  it("embeds with a generation model (mean-pooled)", async () => {
    const r = await main.embed(["Once upon a time"]);
    assert.equal(r.embeddings[0].length, 64);
    assert.equal(r.promptTokens, 5);
  });

  it("a SIGKILLed child rejects the in-flight request with RunnerCrashedError", async () => {
    let tokens = 0;
    await assert.rejects(async () => {
      for await (const c of noShift.complete({ prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 50 } }))
        if (c.type === "token" && ++tokens === 1) process.kill(noShift.pid!, "SIGKILL");
    }, RunnerCrashedError);
    assert.ok(tokens < 50);
    await noShift.exited;
    await assert.rejects(noShift.tokenize("x"), RunnerCrashedError);
  });

  it("a native crash (SIGSEGV) in the child is reported like a kill, to its own requests only", async () => {
    await assert.rejects(async () => {
      let tokens = 0;
      for await (const c of small.complete({ prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 50 } }))
        if (c.type === "token" && ++tokens === 1) process.kill(small.pid!, "SIGSEGV");
    }, RunnerCrashedError);
    await small.exited;
    const { text } = await collect(main, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 4 } });
    assert.ok(text.startsWith(", there"));
  });
});

describe("engine runner with parallel slots", () => {
  it("serves more requests than slots, each with its own sequence, the same text as alone", async () => {
    const r = await EngineRunner.create({ modelPath: STORIES, numCtx: 128, numParallel: 2, ...BASE });
    try {
      const prompts = ["Once upon a time", "Lily went to the park", "The dog was happy", "Once upon a time"];
      const alone = [];
      for (const p of prompts) alone.push((await collect(r, { prompt: p, sampling: { temperature: 0, numPredict: 20 } })).text);
      const together = await Promise.all(prompts.map((p) => collect(r, { prompt: p, sampling: { temperature: 0, numPredict: 20 } })));
      assert.deepEqual(
        together.map((t) => t.text),
        alone,
      );
      // A request waiting for a slot ends as soon as it is aborted, while the slots stay busy.
      const ac = new AbortController();
      const busy = [0, 1].map(() => collect(r, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 100 } }));
      const waiting = collect(r, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 5 }, signal: ac.signal });
      ac.abort();
      await assert.rejects(waiting, CanceledError);
      for (const b of await Promise.all(busy)) assert.equal(b.done.timings.evalTokens, 100);
      // A lone request may use the whole num_ctx of its slot: generation past it shifts.
      const long = await collect(r, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 200 } });
      assert.equal(long.done.timings.evalTokens, 200);
    } finally {
      await r.close();
    }
  });

  it("admits a request that comes while another generates without end, through the child's channel", async () => {
    const r = await EngineRunner.create({ modelPath: STORIES, numCtx: 128, numParallel: 2, ...BASE });
    try {
      const ac = new AbortController();
      let generating!: () => void;
      const started = new Promise<void>((res) => (generating = res));
      // The context shifts: only the abort ends this one, so the second request can only finish beside it.
      const endless = (async () => {
        for await (const c of r.complete({ prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 1e9 }, signal: ac.signal })) {
          if (c.type === "token") generating();
        }
      })();
      await started;
      const joined = await collect(r, { prompt: "Lily went to the park", sampling: { temperature: 0, numPredict: 5 } });
      assert.equal(joined.done.timings.evalTokens, 5);
      ac.abort();
      await assert.rejects(endless, CanceledError);
    } finally {
      await r.close();
    }
  });
});

describe("engine runner with a LoRA adapter", () => {
  it("applies the adapter (greedy output changes) and refuses a missing one", async () => {
    const r = await EngineRunner.create({ modelPath: STORIES, numCtx: 128, adapters: [model("synthetic/stories260K-lora-synthetic.gguf")], ...BASE });
    try {
      const { text } = await collect(r, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 12 } });
      assert.ok(!text.startsWith(", there"), text);
    } finally {
      await r.close();
    }
    await assert.rejects(createEngineRunner({ modelPath: STORIES, numCtx: 128, adapters: ["/nonexistent-lora.gguf"], ...BASE }), ModelLoadError);
  });
});

describe("engine load failures", () => {
  it("refuses a truncated GGUF, a non-GGUF file and the clip projector with the engine's reason", async () => {
    const tmp = tempDir();
    try {
      const cut = join(tmp.dir, "cut.gguf");
      writeFileSync(cut, readFileSync(STORIES).subarray(0, 600_000));
      const text = join(tmp.dir, "text.gguf");
      writeFileSync(text, "this is not a model\n".repeat(100));
      const [a, b, c] = await Promise.allSettled([
        createEngineRunner({ modelPath: cut, numCtx: 64, ...BASE }),
        createEngineRunner({ modelPath: model("mmproj-tinygemma3.gguf"), numCtx: 64, ...BASE }),
        createEngineRunner({ modelPath: text, numCtx: 64, ...BASE }),
      ]);
      assert.equal(a.status, "rejected");
      assert.ok(a.reason instanceof ModelLoadError);
      assert.match(a.reason.message, /corrupted or incomplete|out of bounds|failed to read/);
      assert.equal(b.status, "rejected");
      assert.ok(b.reason instanceof ModelLoadError);
      assert.match(b.reason.message, /unknown model architecture: 'clip'|CLIP/);
      assert.equal(c.status, "rejected");
      assert.ok(c.reason instanceof ModelLoadError);
      assert.match(c.reason.message, /invalid magic|failed to load/);
    } finally {
      tmp.cleanup();
    }
  });
});

describe("runner environment", () => {
  it("asks glibc for transparent huge pages on Linux, keeping the user's tunables and their own choice", { skip: process.platform !== "linux" }, () => {
    assert.equal(childEnv({ A: "1" }).GLIBC_TUNABLES, "glibc.malloc.hugetlb=1");
    assert.equal(childEnv({ A: "1" }).A, "1");
    assert.equal(childEnv({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2" }).GLIBC_TUNABLES, "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1");
    assert.equal(childEnv({ GLIBC_TUNABLES: "glibc.malloc.hugetlb=0" }).GLIBC_TUNABLES, "glibc.malloc.hugetlb=0");
  });
});

describe("memory estimate", () => {
  it("estimates memory from the header without loading", async () => {
    const small = await estimateMemory({ modelPath: STORIES, numCtx: 256 });
    const big = await estimateMemory({ modelPath: model("bench/synth-llama-58M-q4_0.gguf"), numCtx: 4096 });
    assert.ok(small.ram > 1_000_000 && small.ram < big.ram);
    assert.equal(big.vram, 0);
    await assert.rejects(estimateMemory({ modelPath: "/nonexistent.gguf", numCtx: 256 }), ModelLoadError);
  });
});

describe("special tokens with real vocabularies", () => {
  const api = loadLlama({ gpu: false });
  const vocab = (name: string) => LoadedModel.load(api, fixture(`vocab/${name}`), { useMmap: true, gpuLayers: 0, vocabOnly: true });

  it("Llama 3: control tokens are rendered in the text, <|eot_id|> ends generation", () => {
    const m = vocab("ggml-vocab-llama-bpe.gguf");
    try {
      // 128010 is the slot Llama 3.1 names <|python_tag|>; this base vocabulary calls it a reserved token.
      const [tag] = m.tokenize("<|reserved_special_token_5|>", false, true);
      assert.equal(tag, 128010);
      assert.equal(m.pieceText(tag), "<|reserved_special_token_5|>");
      assert.equal(m.isEog(tag), false);
      const [eot] = m.tokenize("<|eot_id|>", false, true);
      assert.equal(m.isEog(eot), true);
      assert.throws(() => m.validate([m.nVocab]), BadRequestError);
    } finally {
      m.free();
    }
  });

  it("Qwen2: <|im_end|> ends generation, <|im_start|> shows", () => {
    const m = vocab("ggml-vocab-qwen2.gguf");
    try {
      const [end] = m.tokenize("<|im_end|>", false, true);
      assert.equal(m.isEog(end), true);
      const [start] = m.tokenize("<|im_start|>", false, true);
      assert.equal(m.pieceText(start), "<|im_start|>");
    } finally {
      m.free();
    }
  });
});

describe("mergeTokens", () => {
  it("joins consecutive token chunks of a batch, keeping one logprob per token and the done chunk apart", async () => {
    const { mergeTokens } = await import("./chunk-batcher.js");
    const lp = (t: string) => ({ token: t, logprob: -1 });
    const merged = mergeTokens([
      { type: "token", text: "a", tokens: [1], logprobs: [lp("a")] },
      { type: "token", text: "b", tokens: [2], logprobs: [lp("b")] },
      { type: "done", reason: "stop", tokens: [1, 2], timings: { promptTokens: 1, promptEvaluated: 1, promptNs: 1, evalTokens: 2, evalNs: 1 } },
    ]);
    assert.equal(merged.length, 2);
    assert.deepEqual(merged[0], { type: "token", text: "ab", tokens: [1, 2], logprobs: [lp("a"), lp("b")] });
    assert.equal(merged[1].type, "done");
    assert.deepEqual(mergeTokens([{ type: "token", text: "x", tokens: [3] }]), [{ type: "token", text: "x", tokens: [3] }]);
    const withPieces = mergeTokens([
      { type: "token", text: "a", tokens: [1], pieces: ["a"] },
      { type: "token", text: "bc", tokens: [2], pieces: ["bc"] },
    ]);
    assert.deepEqual(withPieces, [{ type: "token", text: "abc", tokens: [1, 2], pieces: ["a", "bc"] }]);
  });
});
