// Embeddings and reranking on the real engine: inputs batched across sequences, truncation, packing.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { model } from "../../testing/fixtures.js";
import { BadRequestError } from "../../util/errors.js";
import { createEngineRunner } from "./runner.js";

// One thread: the suites share a 2-core machine with other test files; the thread policy has its own tests.
const BASE = { numGpu: 0, numThread: 1 } as const;

describe("engine embeddings and reranking", () => {
  it("embeds with the bert model (batched, truncating) and ranks with the reranker", async () => {
    const [embedder, ranker] = await Promise.all([
      createEngineRunner({ modelPath: model("synthetic/bert-embed-synthetic.gguf"), numCtx: 64, embedding: true, ...BASE }),
      createEngineRunner({ modelPath: model("synthetic/bert-rerank-synthetic.gguf"), numCtx: 128, embedding: true, ...BASE }),
    ]);
    try {
      const r = await embedder.embed(["hello world", "foo"]);
      assert.equal(r.embeddings.length, 2);
      assert.equal(r.embeddings[0].length, 128);
      assert.notDeepEqual(r.embeddings[0], r.embeddings[1]);
      const norm = Math.hypot(...r.embeddings[0]);
      assert.ok(Math.abs(norm - 1) > 1e-3, "vectors come back unnormalized");
      // One batch across sequences gives what one input at a time gives.
      const one = await embedder.embed(["foo"]);
      one.embeddings[0].forEach((v, i) => assert.ok(Math.abs(v - r.embeddings[1][i]) < 1e-4));
      const long = "word ".repeat(100);
      assert.equal((await embedder.embed([long])).promptTokens, 63);
      await assert.rejects(embedder.embed([long], { truncate: false }), (e) => e instanceof BadRequestError && e.message === "the input length exceeds the context length");
      const scores = await ranker.rank!("what is a dog", ["a dog is an animal", "the sky is blue"]);
      assert.equal(scores.length, 2);
      for (const s of scores) assert.ok(s >= 0 && s <= 1);
    } finally {
      await Promise.all([embedder.close(), ranker.close()]);
    }
  });

  it("gives the same vectors for inputs packed into several decodes as for each input alone", async () => {
    const embedder = await createEngineRunner({ modelPath: model("synthetic/bert-embed-synthetic.gguf"), numCtx: 256, embedding: true, ...BASE });
    try {
      // 80 inputs of 3 to ~40 tokens (several packed decodes) with one of ~200 tokens among them (longer than a
      // packed decode: it goes alone).
      const inputs = Array.from({ length: 80 }, (_, i) => `${i} ` + "dogs run in the park ".repeat(i % 9));
      inputs[37] = "a very long input about parks ".repeat(40);
      const all = await embedder.embed(inputs);
      assert.equal(all.embeddings.length, inputs.length);
      let tokens = 0;
      for (const [i, input] of inputs.entries()) {
        const one = await embedder.embed([input]);
        const alone = one.embeddings[0];
        tokens += one.promptTokens;
        // The same up to float rounding: a decode's sums depend on its batch's shape (matmul tiling, flash
        // attention's f16 keys), 1e-4 of the vector's length at most (as with all inputs in one decode before).
        const norm = Math.hypot(...alone);
        const diff = Math.hypot(...alone.map((v, k) => v - all.embeddings[i][k]));
        assert.ok(diff < 1e-3 * norm, `input ${i}: |alone - packed| = ${diff}, |alone| = ${norm}`);
      }
      assert.equal(all.promptTokens, tokens);
    } finally {
      await embedder.close();
    }
  });
});
