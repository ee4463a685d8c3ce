import assert from "node:assert/strict";
import { it } from "node:test";
import { DEFAULT_THREADS, resolveThreads } from "./threads.js";

it("defaults to one thread and lets num_thread override", () => {
  assert.equal(DEFAULT_THREADS, 1);
  assert.equal(resolveThreads(undefined), 1);
  assert.equal(resolveThreads(0), 1);
  assert.equal(resolveThreads(2), 2);
});
