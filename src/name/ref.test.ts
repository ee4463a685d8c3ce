import assert from "node:assert/strict";
import test from "node:test";
import { CloudUnavailableError } from "../util/errors.js";
import { localRef, parseRef } from "./ref.js";

test("source suffixes as Ollama's modelref reads them", () => {
  assert.deepEqual(parseRef("llama3.2"), { base: "llama3.2", source: "unspecified" });
  assert.deepEqual(parseRef("llama3.2:local"), { base: "llama3.2", source: "local" });
  assert.deepEqual(parseRef("llama3.2:1b:LOCAL"), { base: "llama3.2:1b", source: "local" });
  assert.deepEqual(parseRef("gpt-oss:cloud"), { base: "gpt-oss", source: "cloud" });
  assert.deepEqual(parseRef("gpt-oss:120b-cloud"), { base: "gpt-oss:120b", source: "cloud" });
  assert.deepEqual(parseRef(" x:latest "), { base: "x:latest", source: "unspecified" });
  // A host with a port is not a tag: "localhost:5000/x" has no suffix.
  assert.deepEqual(parseRef("localhost:5000/ns/x"), { base: "localhost:5000/ns/x", source: "unspecified" });
  assert.throws(() => parseRef("x:local:cloud"), { name: "BadRequestError", message: 'use either :local or :cloud, not both: "x:local:cloud"' });
  assert.throws(() => parseRef("x:1b-cloud:local"), /not both/);
});

test("a cloud reference is Ollama's 403 with its cloud disabled; others name the local model", () => {
  assert.equal(localRef("x:local", "remote model is unavailable"), "x");
  assert.equal(localRef("x:7b", "remote model is unavailable"), "x:7b");
  assert.throws(
    () => localRef("gpt-oss:120b-cloud", "remote model is unavailable"),
    (e) => e instanceof CloudUnavailableError && e.message === "ollama cloud is disabled: remote model is unavailable",
  );
});
