// The spare child: handed to the next load, refilled after it, replaced when it died or loaded the wrong package.

import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { describe, it } from "node:test";
import { model } from "../../testing/fixtures.js";
import { EngineRunner, forkChild } from "./runner.js";
import { SpareChild } from "./spare.js";

const STORIES = model("stories260K.gguf");

/** A SpareChild over real engine children that records every fork. */
function recorded(): { spare: SpareChild; forks: ChildProcess[] } {
  const forks: ChildProcess[] = [];
  const spare = new SpareChild(() => {
    const c = forkChild();
    forks.push(c);
    return c;
  });
  return { spare, forks };
}

/** Waits for a child's exit, holding the event loop meanwhile (a waiting spare does not). */
function exited(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  c.ref();
  return new Promise((r) => c.once("exit", () => r()));
}

describe("SpareChild", () => {
  it("hands the waiting child to the next load and forks the next spare after it", async () => {
    const { spare, forks } = recorded();
    spare.fill();
    assert.equal(forks.length, 1);
    const runner = await EngineRunner.create({ modelPath: STORIES, numCtx: 128, numThread: 1 }, undefined, { spare });
    try {
      assert.equal(runner.pid, forks[0].pid, "the load ran in the spare");
      assert.equal(forks.length, 2, "a new spare waits");
      assert.equal(forks[1].exitCode, null);
    } finally {
      await runner.close();
      spare.close();
    }
    assert.ok(forks[1].killed, "close kills the waiting spare");
  });

  it("forks afresh when the waiting child died, and after close forks no more spares", async () => {
    const { spare, forks } = recorded();
    spare.fill();
    forks[0].kill("SIGKILL");
    await exited(forks[0]);
    const child = spare.take(false);
    assert.notEqual(child.pid, forks[0].pid);
    child.kill("SIGKILL");
    spare.close();
    spare.fill();
    assert.equal(forks.length, 2, "closed: nothing forked");
  });

  it("gives a CPU-only load a fresh child when the probe loaded a GPU package into the spare", async () => {
    const { spare, forks } = recorded();
    await spare.probe(60_000);
    // What the probe found on this machine decides which case runs; the other is forced through the same field.
    (spare as unknown as { variant: string }).variant = "cuda";
    const child = spare.take(true);
    assert.notEqual(child.pid, forks[0].pid, "the GPU-package spare is not reused for a num_gpu 0 load");
    assert.ok(forks[0].killed);
    child.kill("SIGKILL");
    spare.close();
  });

  it("reuses the probed spare for a CPU-only load when the probe loaded the CPU package", async () => {
    const { spare, forks } = recorded();
    const gpus = await spare.probe(60_000);
    const variant = (spare as unknown as { variant: string }).variant;
    const child = spare.take(true);
    if (variant === "") {
      assert.deepEqual(gpus, []);
      assert.equal(child.pid, forks[0].pid);
    } else assert.notEqual(child.pid, forks[0].pid);
    child.kill("SIGKILL");
    spare.close();
  });
});
