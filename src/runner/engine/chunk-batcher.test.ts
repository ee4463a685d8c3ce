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
