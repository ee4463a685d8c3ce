import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readyBatch } from "./ready-batch.js";

async function* source(): AsyncGenerator<number> {
  yield 1;
  yield 2;
  yield 3; // the three of one runner batch
  await new Promise((r) => setTimeout(r, 5));
  yield 4;
  throw new Error("boom");
}

describe("readyBatch", () => {
  it("takes what is ready in one batch, leaves the rest for the next, and reports a failure after its text", async () => {
    const it = source();
    const line = (n: number) => `${n}\n`;
    const a = await readyBatch(it.next(), it, line);
    assert.equal(a.text, "1\n2\n3\n");
    assert.equal(a.end, false);
    const b = await readyBatch(a.next!, it, line);
    assert.equal(b.text, "4\n");
    assert.equal(b.end, true);
    assert.equal((b.failed?.error as Error).message, "boom");
  });
});
