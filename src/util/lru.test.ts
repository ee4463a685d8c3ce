import assert from "node:assert/strict";
import { test } from "node:test";
import { Lru } from "./lru.js";

test("Lru evicts the least recently used entry past its size", () => {
  const c = new Lru<string, number>(2);
  c.set("a", 1).set("b", 2);
  assert.equal(c.get("a"), 1); // a is now the most recent
  c.set("c", 3);
  assert.equal(c.has("b"), false);
  assert.deepEqual([c.get("a"), c.get("c"), c.size], [1, 3, 2]);
  assert.throws(() => new Lru(0), RangeError);
});

test("Lru.getOrCreate shares a pending promise and forgets a rejected one", async () => {
  const c = new Lru<string, Promise<number>>(4);
  let calls = 0;
  const make = () => Promise.resolve(++calls);
  assert.equal(await c.getOrCreate("k", make), 1);
  assert.equal(await c.getOrCreate("k", make), 1);
  await assert.rejects(c.getOrCreate("bad", () => Promise.reject(new Error("no"))));
  await new Promise((r) => setImmediate(r));
  assert.equal(c.has("bad"), false);
  assert.equal(await c.getOrCreate("bad", make), 2);
});
