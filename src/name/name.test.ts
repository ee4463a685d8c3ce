import assert from "node:assert/strict";
import test from "node:test";
import { digestFileName, displayLong, displayShortest, parseDigest, parseName, shortDigest } from "./index.js";

test("names take Ollama's defaults and display shortest", () => {
  const cases: [string, string, string][] = [
    ["llama3", "registry.ollama.ai/library/llama3:latest", "llama3:latest"],
    ["llama3.2:1b", "registry.ollama.ai/library/llama3.2:1b", "llama3.2:1b"],
    ["user/model", "registry.ollama.ai/user/model:latest", "user/model:latest"],
    ["hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M", "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M", "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M"],
    ["localhost:5000/ns/m:v1", "localhost:5000/ns/m:v1", "localhost:5000/ns/m:v1"],
    ["REGISTRY.OLLAMA.AI/LIBRARY/X:Y", "REGISTRY.OLLAMA.AI/LIBRARY/X:Y", "X:Y"],
  ];
  for (const [raw, long, short] of cases) {
    const n = parseName(raw);
    assert.equal(displayLong(n), long, raw);
    assert.equal(displayShortest(n), short, raw);
  }
  assert.equal(parseName("http://localhost:5000/ns/m").scheme, "http");
});

test("names that could escape the store or are malformed are refused", () => {
  for (const bad of ["", " ", "../x", "../../etc/passwd", "/abs/path", "a/../b", "ns/.hidden", "m:", "a/b/c/d", ":tag", "model:ta/g", "x y", "a/.b", "-x", "a//b", "ns.dot/model", "m:" + "t".repeat(81)]) {
    assert.throws(() => parseName(bad), /invalid model name/, JSON.stringify(bad));
  }
});

test("digests accept both separators and normalize to lower case", () => {
  const hex = "A".repeat(64);
  assert.equal(parseDigest(`sha256-${hex}`), `sha256:${"a".repeat(64)}`);
  assert.equal(digestFileName(`sha256:${hex}`), `sha256-${"a".repeat(64)}`);
  assert.equal(shortDigest(`sha256:${"b".repeat(64)}`), "bbbbbbbbbbbb");
  assert.throws(() => parseDigest("sha256:abc"), /invalid digest format/);
  assert.throws(() => parseDigest(`md5:${hex}`), /invalid digest format/);
});
