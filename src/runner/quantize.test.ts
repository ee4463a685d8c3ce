import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { readGguf, typedMetadata, writeGguf } from "../gguf/index.js";
import { model, tempDir } from "../testing/fixtures.js";
import { CanceledError } from "../util/errors.js";
import { runQuantize } from "./quantize.js";

describe("runQuantize (llama_model_quantize in a child process)", () => {
  const tmp = tempDir("herd-quantize-");
  after(() => tmp.cleanup());

  it("stops when aborted and leaves no partial output", async () => {
    // stories260K's header with 24 wide F32 tensors (72 MB): Q4_K_M takes long enough to abort midway.
    const base = await readGguf(model("stories260K.gguf"));
    const input = join(tmp.dir, "wide.gguf");
    const tensors = Array.from({ length: 24 }, (_, i) => ({ name: `blk.${i % 5}.ffn_up_${i}.weight`, dims: [1024, 768], type: "F32" as const }));
    await writeGguf(input, { metadata: typedMetadata(base), tensors });
    const output = join(tmp.dir, "out.gguf");
    const ac = new AbortController();
    let seen = 0;
    await assert.rejects(
      runQuantize({ input, output, ftype: "Q4_K_M", nthread: 1 }, {
        signal: ac.signal,
        onProgress: (done) => {
          seen = done;
          ac.abort();
        },
      }),
      CanceledError,
    );
    assert.ok(seen >= 1 && seen < 24, `aborted after ${seen} of 24 tensors`);
    assert.equal(existsSync(output), false);
  });

  it("reports llama.cpp's failure on a file it cannot read", async () => {
    const output = join(tmp.dir, "bad-out.gguf");
    await assert.rejects(runQuantize({ input: model("stories260K-gguf-v1.gguf"), output, ftype: "Q8_0", nthread: 1 }), /quantization failed/);
    assert.equal(existsSync(output), false);
  });
});
