// OLLAMA_LOAD_TIMEOUT: the child reports llama.cpp's load progress, and a load that stops reporting is killed
// with Ollama's message.

import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { describe, it } from "node:test";
import { model } from "../../testing/fixtures.js";
import { ModelLoadError } from "../../util/errors.js";
import type { ChildMessage } from "./protocol.js";
import { childEntry, EngineRunner, forkChild } from "./runner.js";
import { SpareChild } from "./spare.js";

const BASE = { numGpu: 0, numThread: 1 } as const;

describe("load progress and OLLAMA_LOAD_TIMEOUT", () => {
  it("the child reports the load's progress from inside llama.cpp's load, up to all of it", async () => {
    const seen: number[] = [];
    // The spare child is the one the load runs in: its messages are watched from here.
    const spare = new SpareChild(() => {
      const child: ChildProcess = forkChild();
      child.on("message", (m: ChildMessage) => m.type === "progress" && seen.push(m.value));
      return child;
    });
    spare.fill();
    const runner = await EngineRunner.create({ modelPath: model("bench/synth-llama-58M-q4_0.gguf"), numCtx: 256, ...BASE }, undefined, { spare, loadTimeoutMs: 60_000 });
    try {
      assert.ok(seen.length >= 10, `${seen.length} progress reports`);
      assert.deepEqual(seen, [...seen].sort((a, b) => a - b), "never backwards");
      assert.equal(seen.at(-1), 1);
    } finally {
      await runner.close();
      spare.close();
    }
  });

  it("a load that stops reporting fails after the timeout with the progress and the last error line", async () => {
    const entry = childEntry(import.meta.url, "./testing/stalling-child");
    await assert.rejects(
      EngineRunner.create({ modelPath: model("stories260K.gguf"), numCtx: 256, ...BASE }, undefined, { entry, loadTimeoutMs: 300 }),
      (e: Error) => {
        assert.ok(e instanceof ModelLoadError, e.message);
        assert.equal(e.message, "timed out waiting for llama runner to start - progress 0.25 - read error on the weights");
        return true;
      },
    );
  });
});
