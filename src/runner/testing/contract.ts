// The Runner contract, as tests any implementation must pass. `runnerContract` registers them with
// node:test; engine/engine.test.ts runs it on stories260K and testing/fake-runner.test.ts on the fake.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CanceledError } from "../../util/errors.js";
import type { CompletionChunk, CompletionRequest, CreateRunner, LoadOptions, Runner } from "../types.js";

export const GREEDY_PREFIX = ", there was a little girl named Lily";

export async function collect(runner: Runner, req: CompletionRequest) {
  const chunks: CompletionChunk[] = [];
  for await (const c of runner.complete(req)) chunks.push(c);
  const done = chunks.at(-1);
  assert.equal(done?.type, "done", "the last chunk is done");
  const text = chunks.map((c) => (c.type === "token" ? c.text : "")).join("");
  return { chunks, text, done: done as Extract<CompletionChunk, { type: "done" }> };
}

/** `load` must point at stories260K.gguf (or a runner that behaves like it). */
export function runnerContract(name: string, create: CreateRunner, load: LoadOptions): void {
  describe(`Runner contract: ${name}`, () => {
    let runner: Runner;
    before(async () => {
      runner = await create(load);
    });
    after(async () => {
      await runner?.close();
    });

    it("loads with its context size and memory", () => {
      assert.ok(runner.contextSize >= load.numCtx);
      assert.ok(runner.trainedContext > 0);
      assert.ok(runner.memory.ram + runner.memory.vram > 0);
    });

    it("tokenizes and detokenizes", async () => {
      const withBos = await runner.tokenize("Once upon a time");
      const bare = await runner.tokenize("Once upon a time", { addSpecial: false });
      assert.equal(withBos.length, bare.length + 1);
      assert.equal((await runner.detokenize(bare)).trim(), "Once upon a time");
    });

    it("greedy generation continues the story", async () => {
      const { text, done } = await collect(runner, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 24 } });
      assert.ok(text.startsWith(GREEDY_PREFIX), text);
      assert.equal(done.reason, "length");
      assert.equal(done.timings.evalTokens, 24);
      assert.ok(done.timings.promptTokens >= 5);
    });

    it("tells what each token added to the text (pieces), held-back tokens adding \"\"", async () => {
      const { chunks, done } = await collect(runner, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 24, stop: ["little girl"] } });
      const tokenChunks = chunks.filter((c) => c.type === "token");
      for (const c of tokenChunks) assert.equal(c.pieces?.join(""), c.text);
      const pieces = tokenChunks.flatMap((c) => c.pieces ?? []);
      // The stop string spans tokens: those held back add "", and the matched ones are never shown.
      assert.ok(pieces.filter((p) => p !== "").length < done.timings.evalTokens);
      assert.ok(pieces.includes(""));
      assert.ok(pieces.length >= done.timings.evalTokens);
    });

    it("streams one chunk per token, ending with done", async () => {
      const { chunks, text, done } = await collect(runner, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 10 } });
      const tokenChunks = chunks.filter((c) => c.type === "token" && c.tokens.length > 0);
      assert.ok(tokenChunks.length >= 2);
      assert.equal(chunks.filter((c) => c.type === "done").length, 1);
      assert.ok(text.length > 0);
      assert.ok(done.tokens.length >= done.timings.promptTokens);
    });

    it("stops on a stop string across token boundaries and never emits it", async () => {
      const { text, done } = await collect(runner, {
        prompt: "Once upon a time",
        sampling: { temperature: 0, numPredict: 40, stop: ["named Li"] },
      });
      assert.equal(text, ", there was a little girl ");
      assert.equal(done.reason, "stop");
    });

    it("reproduces with a fixed seed", async () => {
      const req = { prompt: "Once upon a time", sampling: { temperature: 1, topK: 100, topP: 1, seed: 42, numPredict: 16 } };
      const a = await collect(runner, req);
      const b = await collect(runner, req);
      assert.equal(a.text, b.text);
      const c = await collect(runner, { ...req, sampling: { ...req.sampling, seed: 7 } });
      const d = await collect(runner, { ...req, sampling: { ...req.sampling, seed: 8 } });
      assert.ok(c.text !== a.text || d.text !== a.text, "different seeds give different text");
    });

    it("ends with reason length at num_predict", async () => {
      const { done } = await collect(runner, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 3 } });
      assert.equal(done.reason, "length");
      assert.equal(done.timings.evalTokens, 3);
    });

    it("stops within a token when aborted", async () => {
      const ac = new AbortController();
      let seen = 0;
      await assert.rejects(async () => {
        for await (const c of runner.complete({ prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 500 }, signal: ac.signal })) {
          if (c.type === "token" && ++seen === 3) ac.abort();
        }
      }, CanceledError);
      assert.equal(seen, 3);
      // The runner is usable right after.
      const { text } = await collect(runner, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 8 } });
      assert.ok(text.startsWith(", there"));
    });

    it("serves concurrent requests, each as if it ran alone (the runner queues beyond its slots)", async () => {
      const req = { prompt: "Once upon a time", sampling: { temperature: 0, numPredict: 12 } };
      const ac = new AbortController();
      const canceled = collect(runner, { ...req, sampling: { ...req.sampling, numPredict: 400 }, signal: ac.signal });
      const runs = [collect(runner, req), collect(runner, req), runner.tokenize("Once"), collect(runner, req)];
      ac.abort();
      await assert.rejects(canceled, CanceledError);
      const [a, b, tokens, c] = await Promise.all(runs);
      for (const r of [a, b, c] as Awaited<ReturnType<typeof collect>>[]) {
        assert.ok(r.text.startsWith(GREEDY_PREFIX.slice(0, 20)), r.text);
        assert.equal(r.done.timings.evalTokens, 12);
      }
      assert.ok((tokens as number[]).length > 0);
    });

    it("closes and reports exit", async () => {
      await runner.close();
      await runner.exited;
    });
  });
}
