import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BadRequestError } from "../util/errors.js";
import { finishEmbedding, l2Normalize } from "./embed-math.js";
import { parseFormat, resolveThink } from "./validate.js";

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe("embedding post-processing", () => {
  it("normalizes to unit length", () => {
    assert.deepEqual(l2Normalize([3, 4]), [0.6, 0.8]);
    assert.deepEqual(l2Normalize([0, 0]), [0, 0]);
  });
  it("truncates to `dimensions` and re-normalizes", () => {
    const v = finishEmbedding([3, 4, 12], 2);
    assert.equal(v.length, 2);
    assert.ok(Math.abs(norm(v) - 1) < 1e-12);
    assert.ok(Math.abs(v[0] - 0.6) < 1e-12);
    assert.equal(finishEmbedding([1, 2], 5).length, 2, "a larger dimensions keeps the vector");
  });
  it("refuses NaN and Inf with Ollama's message", () => {
    assert.throws(() => finishEmbedding([1, NaN]), (e: Error) => e instanceof BadRequestError && e.message === "embedding contains NaN or Inf values");
    assert.throws(() => finishEmbedding([Infinity]), /NaN or Inf/);
  });
});

describe("request checks", () => {
  it("parses format", () => {
    assert.equal(parseFormat("json"), "json");
    assert.equal(parseFormat(""), undefined);
    assert.equal(parseFormat(null), undefined);
    assert.deepEqual(parseFormat({ type: "object" }), { type: "object" });
    assert.throws(() => parseFormat("yaml"), /^InvalidOptionError: invalid format: "yaml"; expected "json" or a valid JSON Schema object$/);
  });
  it("defaults think to the model's capability and refuses it on other models", () => {
    assert.deepEqual(resolveThink(undefined, true, "m"), { enabled: true, level: "medium", isSet: false });
    assert.deepEqual(resolveThink(undefined, false, "m"), { enabled: false, level: "", isSet: false });
    assert.deepEqual(resolveThink("high", true, "m"), { enabled: true, level: "high", isSet: true });
    assert.deepEqual(resolveThink(false, false, "m"), { enabled: false, level: "", isSet: true });
    assert.throws(() => resolveThink(true, false, "tiny"), { message: '"tiny" does not support thinking' });
  });
});
