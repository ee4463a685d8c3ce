import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BadRequestError } from "../util/errors.js";
import { fitPrompt, PROMPT_TOO_LONG } from "./prompt-fit.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("fitPrompt", () => {
  const base = { numCtx: 64, numKeep: 4, hasBos: true, truncate: true, shift: true };

  it("keeps a prompt that fits in num_ctx − 1", () => {
    assert.deepEqual(fitPrompt(range(63), base), range(63));
  });

  it("keeps num_keep (+BOS) and drops from the middle to num_ctx − max((num_ctx − num_keep)/2, 1)", () => {
    const out = fitPrompt(range(100), base);
    assert.equal(out.length, 64 - 30);
    assert.deepEqual(out.slice(0, 5), [0, 1, 2, 3, 4]);
    assert.deepEqual(out.slice(5), range(100).slice(100 - 29));
  });

  it("refuses with Ollama's 400 when truncate or shift is off", () => {
    for (const o of [{ truncate: false }, { shift: false }])
      assert.throws(() => fitPrompt(range(64), { ...base, ...o }), (e) => e instanceof BadRequestError && e.message === PROMPT_TOO_LONG);
  });
});
