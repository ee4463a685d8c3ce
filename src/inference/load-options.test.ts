// Load options inference derives from the model, as Ollama's scheduler does: how many slots a runner gets
// (OLLAMA_NUM_PARALLEL, except where Ollama keeps one) and whether it shifts its context (not for deepseek2).

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readGguf, typedMetadata, writeGguf } from "../gguf/index.js";
import { createFakeRunnerFactory } from "../runner/testing/index.js";
import { model, tempDir } from "../testing/fixtures.js";
import { Inference } from "./index.js";
import { collect, createTestStore, type TestStore, TestScheduler } from "./testing.js";

describe("load options from the model, under OLLAMA_NUM_PARALLEL=4", () => {
  let ts: TestStore;
  let tmp: ReturnType<typeof tempDir>;
  let scheduler: TestScheduler;
  let inference: Inference;
  const warnings: string[] = [];

  before(async () => {
    tmp = tempDir("herd-slots-");
    // Headers of other architectures (only the header matters to the fake runner): lfm2, a hybrid recurrent one
    // Ollama runs with one slot, and deepseek2, whose context Ollama does not shift.
    const md = typedMetadata(await readGguf(model("stories260K.gguf")));
    const header = async (arch: string) => {
      const path = join(tmp.dir, `${arch}.gguf`);
      await writeGguf(path, { metadata: { ...md, "general.architecture": { type: "string", value: arch } }, tensors: [{ name: "token_embd.weight", dims: [8, 8], type: "F32" }] });
      return path;
    };
    ts = await createTestStore(
      { name: "stories", gguf: model("stories260K.gguf") },
      { name: "bert", gguf: model("synthetic/bert-embed-synthetic.gguf") },
      { name: "lfm2", gguf: await header("lfm2") },
      { name: "deepseek", gguf: await header("deepseek2") },
    );
    scheduler = new TestScheduler(createFakeRunnerFactory());
    inference = new Inference({
      store: ts.store,
      scheduler,
      defaults: { contextLength: 0, goTemplate: true, numParallel: 4 },
      log: { warn: (msg, fields) => warnings.push(`${msg} ${JSON.stringify(fields)}`) },
    });
  });
  after(async () => {
    await scheduler.closeAll();
    ts.cleanup();
    tmp.cleanup();
  });

  const slots = () => scheduler.acquired.at(-1)!.load.numParallel;

  it("a generation model gets them all", async () => {
    await collect(inference.generate({ model: "stories", prompt: "Once", options: { num_predict: 1 } }));
    assert.equal(slots(), 4);
  });

  it("an embedding model gets one: its inputs batch within a request", async () => {
    await inference.embed({ model: "bert", input: "hi" });
    assert.equal(slots(), 1);
  });

  it("an architecture Ollama keeps to one slot gets one, with Ollama's warning once", async () => {
    await collect(inference.generate({ model: "lfm2", prompt: "Once", options: { num_predict: 1 } }));
    assert.equal(slots(), 1);
    await collect(inference.generate({ model: "lfm2", prompt: "Once", options: { num_predict: 1 } }));
    assert.deepEqual(warnings, ['model architecture does not currently support parallel requests {"architecture":"lfm2"}']);
  });

  const load = () => scheduler.acquired.at(-1)!.load;

  it("context shift: the runner's default, off for deepseek2 unless the request turns it on", async () => {
    await collect(inference.generate({ model: "stories", prompt: "Once", options: { num_predict: 1 } }));
    assert.equal(load().shift, undefined);
    await collect(inference.generate({ model: "deepseek", prompt: "Once", options: { num_predict: 1 } }));
    assert.equal(load().shift, false);
    await collect(inference.chat({ model: "deepseek", messages: [{ role: "user", content: "Once" }], shift: true, options: { num_predict: 1 } }));
    assert.equal(load().shift, true);
  });
});
