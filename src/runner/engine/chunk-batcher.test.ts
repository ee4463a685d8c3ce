import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import type { CompletionChunk } from "../types.js";
import { ChunkBatcher } from "./chunk-batcher.js";

const token = (text: string): CompletionChunk => ({ type: "token", text, tokens: [1] });
const texts = (batches: CompletionChunk[][]) => batches.map((b) => b.map((c) => (c.type === "token" ? c.text : c.type)).join(""));

test("the first token goes at once; the next ones wait for the window and go together", async () => {
  const sent: CompletionChunk[][] = [];
  const b = new ChunkBatcher((c) => sent.push(c), 40);
  b.push(token("a"));
  assert.deepEqual(texts(sent), ["a"], "time to first token is not batched");
  b.push(token("b"));
  b.push(token("c"));
  assert.deepEqual(texts(sent), ["a"]);
  await sleep(80);
  assert.deepEqual(texts(sent), ["a", "bc"]);
});

test("a token after a quiet window goes at once, and the last chunk never waits", async () => {
  const sent: CompletionChunk[][] = [];
  const b = new ChunkBatcher((c) => sent.push(c), 40);
  b.push(token("a"));
  await sleep(60);
  b.push(token("b")); // a slow model: nothing left within the last window, so no added delay
  assert.deepEqual(texts(sent), ["a", "b"]);
  b.push(token("c"));
  b.push({ type: "done", reason: "stop", timings: { promptTokens: 1, promptEvaluated: 1, promptNs: 1, evalTokens: 3, evalNs: 1 }, tokens: [] });
  assert.deepEqual(texts(sent), ["a", "b", "cdone"]);
  await sleep(60);
  assert.equal(sent.length, 3, "the flushed timer sends nothing more");
});

test("a token after the window sends the batch itself, though the event loop never turned to run the timer", () => {
  // The runner's decode loop keeps the event loop waiting while no message comes: the batch must not wait for it.
  const sent: CompletionChunk[][] = [];
  const b = new ChunkBatcher((c) => sent.push(c), 5);
  b.token("a", 1);
  b.token("b", 2);
  const start = performance.now();
  while (performance.now() - start < 6); // the decode steps of one window, synchronously
  assert.deepEqual(texts(sent), ["a"]);
  b.token("c", 3);
  assert.deepEqual(texts(sent), ["a", "bc"]);
});

test("tokens of one batch become one chunk with every id and logprob in order", () => {
  const sent: CompletionChunk[][] = [];
  const b = new ChunkBatcher((c) => sent.push(c), 1000);
  const lp = (t: string) => ({ token: t, logprob: -1 });
  b.token("a", 1, lp("a"));
  b.token("", 2, lp("")); // held back (a possible stop string)
  b.token("bc", 3, lp("bc"));
  b.push({ type: "token", text: "d", tokens: [], pieces: ["d"] }); // the held-back text flushed at the end
  b.push({ type: "done", reason: "stop", timings: { promptTokens: 1, promptEvaluated: 1, promptNs: 1, evalTokens: 3, evalNs: 1 }, tokens: [] });
  assert.deepEqual(sent[0], [{ type: "token", text: "a", tokens: [1], pieces: ["a"], logprobs: [lp("a")] }]);
  assert.equal(sent.length, 2);
  assert.deepEqual(sent[1][0], { type: "token", text: "bcd", tokens: [2, 3], pieces: ["", "bc", "d"], logprobs: [lp(""), lp("bc")] });
  assert.equal(sent[1][1].type, "done");
  assert.deepEqual(sent[0][0], { type: "token", text: "a", tokens: [1], pieces: ["a"], logprobs: [lp("a")] }, "a sent chunk is never extended");
});
