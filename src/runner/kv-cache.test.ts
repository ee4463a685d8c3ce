import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { kvCacheFor, kvCacheSettings } from "./kv-cache.js";

describe("OLLAMA_FLASH_ATTENTION and OLLAMA_KV_CACHE_TYPE, as Ollama resolves them", () => {
  it("flash attention: unset leaves it to llama.cpp, set forces it", () => {
    assert.equal(kvCacheSettings(undefined, "").flashAttention, "auto");
    assert.equal(kvCacheSettings(true, "").flashAttention, "on");
    assert.equal(kvCacheSettings(false, "").flashAttention, "off");
  });

  it("a quantized cache with flash attention forced on, any case", () => {
    assert.deepEqual(kvCacheSettings(true, "q8_0"), { flashAttention: "on", kvCacheType: "q8_0" });
    assert.deepEqual(kvCacheSettings(true, "Q4_0"), { flashAttention: "on", kvCacheType: "q4_0" });
    assert.deepEqual(kvCacheSettings(undefined, "f16"), { flashAttention: "auto", kvCacheType: "f16" });
  });

  it("a quantized cache without flash attention forced on stays f16, with Ollama's warning", () => {
    for (const fa of [undefined, false]) {
      const s = kvCacheSettings(fa, "q8_0");
      assert.equal(s.kvCacheType, "f16");
      assert.match(s.warning!, /^OLLAMA_FLASH_ATTENTION must be enabled to use a quantized OLLAMA_KV_CACHE_TYPE/);
    }
  });

  it("types Ollama does not take stay f16, with a warning", () => {
    for (const t of ["f32", "bf16", "q5_1", "fp8"]) {
      const s = kvCacheSettings(true, t);
      assert.equal(s.kvCacheType, "f16", t);
      assert.match(s.warning!, new RegExp(`^unsupported OLLAMA_KV_CACHE_TYPE ${t}`));
    }
  });

  it("a quantized type only where its 32-value blocks divide the key and value heads", () => {
    assert.equal(kvCacheFor("q8_0", 128, 128), "q8_0");
    assert.equal(kvCacheFor("q4_0", 64, 64), "q4_0");
    assert.equal(kvCacheFor("q8_0", 8, 8), "f16");
    assert.equal(kvCacheFor("q8_0", 192, 80), "f16");
    assert.equal(kvCacheFor(undefined, 8, 8), "f16");
  });
});
