import assert from "node:assert/strict";
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { model, tempDir } from "../../testing/fixtures.js";
import { BadRequestError, ModelLoadError, RunnerCrashedError } from "../../util/errors.js";
import { collect, runnerContract } from "../testing/contract.js";
import { PROMPT_TOO_LONG } from "../prompt-fit.js";
import { estimateMemory } from "./estimate.js";
import { createLlamaRunner, LlamaRunner } from "./llama-runner.js";

const STORIES = model("stories260K.gguf");
const LONG = "Once upon a time there was a dog. ".repeat(10); // 102 tokens

runnerContract("llama (stories260K)", createLlamaRunner, { modelPath: STORIES, numCtx: 256, numGpu: 0 });

describe("LlamaRunner on the real engine", () => {
  let main: LlamaRunner;
  let small: LlamaRunner;
  let noShift: LlamaRunner;
  before(async () => {
    [main, small, noShift] = await Promise.all([
      LlamaRunner.create({ modelPath: STORIES, numCtx: 256, numGpu: 0 }),
      LlamaRunner.create({ modelPath: STORIES, numCtx: 64, numGpu: 0 }),
      LlamaRunner.create({ modelPath: STORIES, numCtx: 64, numGpu: 0, shift: false }),
    ]);
  });
  after(async () => {
    await Promise.all([main?.close(), small?.close(), noShift?.close()]);
  });

  it("uses one thread by default and reports RAM from the estimates", () => {
    assert.equal(main.threads, 1);
    assert.ok(main.memory.ram > 1_000_000 && main.memory.ram < 50_000_000, String(main.memory.ram));
    assert.equal(main.memory.vram, 0);
  });

  it("format json schema constrains the output to parseable JSON", async () => {
    const format = { type: "object", properties: { a: { type: "boolean" } }, required: ["a"] };
    const { text, done } = await collect(main, { prompt: "Once upon a time", format, sampling: { temperature: 0, numPredict: 60 } });
    assert.equal(typeof JSON.parse(text).a, "boolean");
    assert.equal(done.reason, "stop");
  });

  it('format "json" starts a JSON object', async () => {
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

  it("truncates a long prompt per num_keep, or refuses it with truncate:false", async () => {
    const { done } = await collect(small, { prompt: LONG, sampling: { temperature: 0, numPredict: 2 } });
    // 64 − max((64 − 4) / 2, 1) = 34 tokens: BOS + 4 kept + the last 29.
    assert.equal(done.timings.promptTokens, 34);
    const all = await small.tokenize(LONG);
    assert.deepEqual(done.tokens.slice(0, 34), [...all.slice(0, 5), ...all.slice(-29)]);
    await assert.rejects(
      collect(small, { prompt: LONG, truncate: false, sampling: { temperature: 0, numPredict: 2 } }),
      (e) => e instanceof BadRequestError && e.message === PROMPT_TOO_LONG,
    );
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

  it("reports logprobs with the top alternatives", async () => {
    const { chunks } = await collect(main, { prompt: "Once upon a time", logprobs: true, topLogprobs: 2, sampling: { temperature: 0, numPredict: 2 } });
    const first = chunks[0];
    assert.equal(first.type, "token");
    if (first.type !== "token") return;
    const lp = first.logprobs![0];
    assert.equal(lp.token, ",");
    assert.ok(lp.logprob < 0 && lp.logprob > -1);
    assert.equal(lp.top_logprobs!.length, 2);
    assert.equal(lp.top_logprobs![0].token, ",");
    assert.ok(lp.top_logprobs![1].logprob < lp.logprob);
  });

  it("embeds with a generation model", async () => {
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
});

describe("LlamaRunner load failures and other models", () => {
  it("refuses a truncated GGUF and the clip projector with the engine's reason", async () => {
    const tmp = tempDir();
    try {
      const cut = join(tmp.dir, "cut.gguf");
      writeFileSync(cut, readFileSync(STORIES).subarray(0, 600_000));
      const [a, b] = await Promise.allSettled([
        createLlamaRunner({ modelPath: cut, numCtx: 64, numGpu: 0 }),
        createLlamaRunner({ modelPath: model("mmproj-tinygemma3.gguf"), numCtx: 64, numGpu: 0 }),
      ]);
      assert.equal(a.status, "rejected");
      assert.ok(a.reason instanceof ModelLoadError);
      assert.match(a.reason.message, /corrupted or incomplete/);
      assert.equal(b.status, "rejected");
      assert.ok(b.reason instanceof ModelLoadError);
      assert.match(b.reason.message, /CLIP cannot be used as main model/);
    } finally {
      tmp.cleanup();
    }
  });

  it("embeds with the bert model (batched, truncating) and ranks with the reranker", async () => {
    const [embedder, ranker] = await Promise.all([
      createLlamaRunner({ modelPath: model("synthetic/bert-embed-synthetic.gguf"), numCtx: 64, numGpu: 0, embedding: true }),
      createLlamaRunner({ modelPath: model("synthetic/bert-rerank-synthetic.gguf"), numCtx: 128, numGpu: 0, embedding: true }),
    ]);
    try {
      const r = await embedder.embed(["hello world", "foo"]);
      assert.equal(r.embeddings.length, 2);
      assert.equal(r.embeddings[0].length, 128);
      assert.notDeepEqual(r.embeddings[0], r.embeddings[1]);
      const norm = Math.hypot(...r.embeddings[0]);
      assert.ok(Math.abs(norm - 1) > 1e-3, "vectors come back unnormalized");
      const long = "word ".repeat(100);
      assert.equal((await embedder.embed([long])).promptTokens, 63);
      await assert.rejects(embedder.embed([long], { truncate: false }), (e) => e instanceof BadRequestError && e.message === "the input length exceeds the context length");
      const scores = await ranker.rank!("what is a dog", ["a dog is an animal", "the sky is blue"]);
      assert.equal(scores.length, 2);
      for (const s of scores) assert.ok(s >= 0 && s <= 1);
    } finally {
      await Promise.all([embedder.close(), ranker.close()]);
    }
  });

  it("estimates memory from the header without loading", async () => {
    const small = await estimateMemory({ modelPath: STORIES, numCtx: 256 });
    const big = await estimateMemory({ modelPath: model("bench/synth-llama-58M-q4_0.gguf"), numCtx: 4096 });
    assert.ok(small.ram > 1_000_000 && small.ram < big.ram);
    assert.equal(big.vram, 0);
    await assert.rejects(estimateMemory({ modelPath: "/nonexistent.gguf", numCtx: 256 }), ModelLoadError);
  });
});

describe("mergeTokens", () => {
  it("joins consecutive token chunks of a batch, keeping one logprob per token and the done chunk apart", async () => {
    const { mergeTokens } = await import("./llama-runner.js");
    const lp = (t: string) => ({ token: t, logprob: -1 });
    const merged = mergeTokens([
      { type: "token", text: "a", tokens: [1], pieces: ["a"], logprobs: [lp("a")] },
      { type: "token", text: "b", tokens: [2], pieces: ["b"], logprobs: [lp("b")] },
      { type: "done", reason: "stop", tokens: [1, 2], timings: { promptTokens: 1, promptEvaluated: 1, promptNs: 1, evalTokens: 2, evalNs: 1 } },
    ]);
    assert.equal(merged.length, 2);
    assert.deepEqual(merged[0], { type: "token", text: "ab", tokens: [1, 2], pieces: ["a", "b"], logprobs: [lp("a"), lp("b")] });
    assert.equal(merged[1].type, "done");
    assert.deepEqual(mergeTokens([{ type: "token", text: "x", tokens: [3] }]), [{ type: "token", text: "x", tokens: [3] }]);
  });
});
