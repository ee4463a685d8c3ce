import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { model } from "../../testing/fixtures.js";
import { RunnerCrashedError } from "../../util/errors.js";
import { collect, runnerContract } from "./contract.js";
import { createFakeRunnerFactory, FakeRunner } from "./fake-runner.js";

runnerContract("fake", createFakeRunnerFactory(), { modelPath: model("stories260K.gguf"), numCtx: 256 });

describe("FakeRunner", () => {
  it("rejects in-flight requests once crashed", async () => {
    const runner = new FakeRunner({ modelPath: "x", numCtx: 64 }, { tokenDelayMs: 5 });
    const pending = collect(runner, { prompt: "hi", sampling: { temperature: 0, numPredict: 100 } });
    setTimeout(() => runner.crash(), 12);
    await assert.rejects(pending, RunnerCrashedError);
    await runner.exited;
  });

  it("decodes at most numParallel requests at once and queues the rest in order", async () => {
    for (const numParallel of [1, 2]) {
      const runner = new FakeRunner({ modelPath: "x", numCtx: 64, numParallel }, { tokenDelayMs: 1 });
      const runs = Array.from({ length: 5 }, () => collect(runner, { prompt: "hi", sampling: { temperature: 0, numPredict: 4 } }));
      for (const r of await Promise.all(runs)) assert.equal(r.done.timings.evalTokens, 4);
      assert.equal(runner.peakActive, numParallel);
      await runner.close();
    }
  });
});
