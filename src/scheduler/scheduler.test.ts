import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createFakeRunnerFactory, type FakeRunnerOptions } from "../runner/testing/index.js";
import type { LoadOptions, MemoryUse } from "../runner/types.js";
import { FOREVER_MS } from "../util/duration.js";
import { CanceledError, InsufficientMemoryError, QueueFullError, RunnerCrashedError } from "../util/errors.js";
import { Scheduler, type SchedulerOptions } from "./scheduler.js";

const MB = 1_000_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = (modelPath: string, extra: Partial<LoadOptions> = {}): LoadOptions => ({ modelPath, numCtx: 256, ...extra });

/** Sizes by model path ("a-30" → 30 MB); available memory = total − what live fakes hold. */
function setup(over: Partial<SchedulerOptions> = {}, fake: FakeRunnerOptions = {}, totalMb = 100) {
  const sizeOf = (p: string): MemoryUse => ({ ram: Number(p.split("-")[1] ?? 10) * MB, vram: 0 });
  const factory = createFakeRunnerFactory((o) => ({ ...fake, memory: sizeOf(o.modelPath) }));
  const live = () => factory.loaded.filter((r) => !r.closed);
  const sched = new Scheduler({
    createRunner: factory,
    estimateMemory: async (o) => sizeOf(o.modelPath),
    maxLoadedModels: 3,
    maxQueue: 10,
    defaultKeepAliveMs: 5 * 60_000,
    availableMemory: () => totalMb * MB - live().reduce((n, r) => n + r.memory.ram, 0),
    ...over,
  });
  return { sched, factory, live };
}

describe("Scheduler", () => {
  it("loads on demand and reuses the runner", async () => {
    const { sched, factory } = setup();
    const a = await sched.acquire({ key: "a", load: load("a-10"), meta: { name: "a" } });
    a.release();
    const b = await sched.acquire({ key: "a", load: load("a-10") });
    assert.equal(b.runner, a.runner);
    b.release();
    b.release();
    assert.equal(factory.loaded.length, 1);
    const [ps] = sched.ps();
    assert.deepEqual(ps.meta, { name: "a" });
    assert.equal(ps.loading, false);
    assert.equal(ps.contextSize, 256);
    assert.equal(ps.memory.ram, 10 * MB);
    assert.ok(ps.expiresAt.getTime() > Date.now() + 4 * 60_000);
    await sched.unloadAll();
  });

  it("hands every request for a loaded model to its runner at once; keep-alive starts when the last ends", async () => {
    const { sched, factory } = setup({ maxQueue: 2, defaultKeepAliveMs: 40 });
    (await sched.acquire({ key: "a", load: load("a-10") })).release();
    // 32 concurrent requests with maxQueue 2: none waits for a load, so none counts against the queue.
    const leases = await Promise.all(Array.from({ length: 32 }, () => sched.acquire({ key: "a", load: load("a-10") })));
    assert.ok(leases.every((l) => l.runner === factory.loaded[0]));
    for (const l of leases.slice(1)) l.release();
    // One still in flight: the keep-alive has not started, however long it takes.
    await sleep(80);
    assert.equal(factory.loaded[0].closed, false);
    leases[0].release();
    await sleep(120);
    assert.equal(factory.loaded[0].closed, true);
    await sched.unloadAll();
  });

  it("answers QueueFullError past maxQueue requests waiting for a load", async () => {
    const { sched } = setup({ maxQueue: 2 }, { loadDelayMs: 30 });
    const loading = sched.acquire({ key: "a", load: load("a-10") });
    await sleep(5);
    const q1 = sched.acquire({ key: "b", load: load("b-10") });
    const q2 = sched.acquire({ key: "a", load: load("a-10") });
    await assert.rejects(sched.acquire({ key: "b", load: load("b-10") }), QueueFullError);
    (await loading).release();
    (await q1).release();
    (await q2).release();
    await sched.unloadAll();
  });

  it("does not count the request whose model is loading as queued", async () => {
    const { sched } = setup({ maxQueue: 1 }, { loadDelayMs: 30 });
    const loading = sched.acquire({ key: "a", load: load("a-10") });
    await sleep(5);
    const queued = sched.acquire({ key: "a", load: load("a-10") });
    await assert.rejects(sched.acquire({ key: "a", load: load("a-10") }), QueueFullError);
    (await loading).release();
    (await queued).release();
    await sched.unloadAll();
  });

  it("drops a request whose signal aborts while queued", async () => {
    const { sched } = setup({}, { loadDelayMs: 20 });
    const held = await sched.acquire({ key: "b", load: load("b-10") });
    const ac = new AbortController();
    const canceled = sched.acquire({ key: "a", load: load("a-10"), signal: ac.signal });
    const next = sched.acquire({ key: "a", load: load("a-10") });
    ac.abort();
    await assert.rejects(canceled, CanceledError);
    held.release();
    (await next).release();
    await sched.unloadAll();
  });

  it("unloads after keep-alive, at once with 0, never with forever", async () => {
    const { sched, factory } = setup();
    (await sched.acquire({ key: "short", load: load("s-10"), keepAliveMs: 400 })).release();
    (await sched.acquire({ key: "zero", load: load("z-10"), keepAliveMs: 0 })).release();
    (await sched.acquire({ key: "ever", load: load("e-10"), keepAliveMs: FOREVER_MS })).release();
    await sleep(5);
    assert.deepEqual(sched.ps().map((p) => p.key).sort(), ["ever", "short"]);
    await sleep(600);
    assert.deepEqual(sched.ps().map((p) => p.key), ["ever"]);
    const forever = sched.ps()[0].expiresAt;
    assert.ok(forever.getTime() > Date.now() + 100 * 365 * 86_400_000);
    assert.match(forever.toISOString(), /^2[0-9]{3}-/, "still a 4-digit year for Go clients");
    assert.deepEqual(factory.loaded.map((r) => r.closed), [true, true, false]);
    await sched.unloadAll();
    assert.ok(factory.loaded.every((r) => r.closed));
  });

  it("a new request stops the keep-alive timer; expire() unloads when idle", async () => {
    const { sched } = setup();
    (await sched.acquire({ key: "a", load: load("a-10"), keepAliveMs: 20 })).release();
    const lease = await sched.acquire({ key: "a", load: load("a-10") });
    await sleep(40);
    assert.equal(sched.ps().length, 1, "not unloaded while in use");
    await sched.expire("a");
    assert.equal(sched.ps().length, 1, "expire waits for the request");
    lease.release();
    await sleep(5);
    assert.equal(sched.ps().length, 0);
    await sched.unloadAll();
  });

  it("reloads when load options change", async () => {
    const { sched, factory } = setup();
    (await sched.acquire({ key: "a", load: load("a-10") })).release();
    const lease = await sched.acquire({ key: "a", load: load("a-10", { numCtx: 512 }) });
    assert.equal(factory.loaded.length, 2);
    assert.equal(factory.loaded[0].closed, true);
    assert.equal(lease.runner.contextSize, 512);
    // A reload waits for the requests in flight on the current runner.
    const reload = sched.acquire({ key: "a", load: load("a-10") });
    await sleep(5);
    assert.equal(factory.loaded[1].closed, false);
    assert.equal(factory.loaded.length, 2);
    lease.release();
    (await reload).release();
    assert.equal(factory.loaded[1].closed, true);
    await sched.unloadAll();
  });

  it("evicts the least recently used idle model at maxLoadedModels", async () => {
    const { sched, factory } = setup({ maxLoadedModels: 2 });
    (await sched.acquire({ key: "a", load: load("a-10") })).release();
    (await sched.acquire({ key: "b", load: load("b-10") })).release();
    (await sched.acquire({ key: "a", load: load("a-10") })).release();
    (await sched.acquire({ key: "c", load: load("c-10") })).release();
    assert.deepEqual(sched.ps().map((p) => p.key).sort(), ["a", "c"]);
    assert.equal(factory.loaded[1].closed, true);
    await sched.unloadAll();
  });

  it("evicts by memory, waits for a busy model, and refuses what can never fit", async () => {
    const { sched } = setup({}, {}, 100);
    (await sched.acquire({ key: "a", load: load("a-40") })).release();
    const busy = await sched.acquire({ key: "b", load: load("b-40") });
    const c = await sched.acquire({ key: "c", load: load("c-50") });
    assert.deepEqual(sched.ps().map((p) => p.key).sort(), ["b", "c"], "a (idle, LRU) evicted for memory");
    c.release();
    await assert.rejects(sched.acquire({ key: "huge", load: load("h-150") }), (e) => {
      assert.ok(e instanceof InsufficientMemoryError);
      assert.equal(e.message, "model requires more system memory (150 MB) than is available (100 MB)");
      return true;
    });
    const d = sched.acquire({ key: "d", load: load("d-90") });
    await sleep(5);
    assert.equal(sched.ps().find((p) => p.key === "d")?.loading, true);
    busy.release();
    (await d).release();
    assert.deepEqual(sched.ps().map((p) => p.key), ["d"]);
    await sched.unloadAll();
  });

  it("plans beside the GPU memory loaded models hold, and evicts idle ones the new model would gain GPU layers from", async () => {
    // One 100 MB GPU; a model needs its size in MB, on the GPU as far as the GPU's free memory goes.
    const plan = (o: LoadOptions, inUse: readonly MemoryUse[] = []): MemoryUse => {
      const need = Number(o.modelPath.split("-")[1]) * MB;
      const vram = Math.min(need, 100 * MB - inUse.reduce((n, m) => n + m.vram, 0));
      return { ram: need - vram, vram };
    };
    const planned = new Map<string, MemoryUse>();
    const factory = createFakeRunnerFactory((o) => ({ memory: planned.get(o.modelPath) }));
    const sched = new Scheduler({
      createRunner: factory,
      estimateMemory: async (o, inUse) => {
        const m = plan(o, inUse);
        planned.set(o.modelPath, m);
        return m;
      },
      maxLoadedModels: 3,
      maxQueue: 10,
      defaultKeepAliveMs: 60_000,
      availableMemory: () => 1000 * MB,
    });
    (await sched.acquire({ key: "a", load: load("a-60") })).release();
    const b = await sched.acquire({ key: "b", load: load("b-60") });
    assert.deepEqual(sched.ps().map((p) => p.key), ["b"], "idle a evicted: b fits the GPU alone");
    assert.deepEqual(b.runner.memory, { ram: 0, vram: 60 * MB });
    // b is busy: c loads beside it with what the GPU has left, the rest in RAM.
    const c = await sched.acquire({ key: "c", load: load("c-60") });
    assert.deepEqual(sched.ps().map((p) => p.key).sort(), ["b", "c"]);
    assert.deepEqual(c.runner.memory, { ram: 20 * MB, vram: 40 * MB });
    b.release();
    c.release();
    await sched.unloadAll();
  });

  it("drops a crashed runner and loads it again on the next request", async () => {
    const { sched, factory } = setup({}, { tokenDelayMs: 2 });
    const lease = await sched.acquire({ key: "a", load: load("a-10") });
    const run = (async () => {
      for await (const _ of lease.runner.complete({ prompt: "x", sampling: { temperature: 0, numPredict: 50 } }));
    })();
    await sleep(5);
    factory.loaded[0].crash();
    await assert.rejects(run, RunnerCrashedError);
    lease.release();
    await sleep(1);
    assert.equal(sched.ps().length, 0);
    const again = await sched.acquire({ key: "a", load: load("a-10") });
    assert.equal(factory.loaded.length, 2);
    assert.notEqual(again.runner, lease.runner);
    again.release();
    await sched.unloadAll();
  });

  it("serializes loads and rejects all waiters of a failed load", async () => {
    let concurrent = 0;
    let peak = 0;
    const factory = createFakeRunnerFactory((o) => ({ loadDelayMs: 10, failLoad: o.modelPath === "bad" ? "boom" : undefined }));
    const sched = new Scheduler({
      createRunner: async (o, s) => {
        peak = Math.max(peak, ++concurrent);
        try {
          return await factory(o, s);
        } finally {
          concurrent--;
        }
      },
      estimateMemory: async () => ({ ram: MB, vram: 0 }),
      maxLoadedModels: 3,
      maxQueue: 10,
      defaultKeepAliveMs: 60_000,
      availableMemory: () => 100 * MB,
    });
    const bad = [sched.acquire({ key: "bad", load: load("bad") }), sched.acquire({ key: "bad", load: load("bad") })];
    const good = [sched.acquire({ key: "a", load: load("a") }), sched.acquire({ key: "b", load: load("b") })];
    for (const p of bad) await assert.rejects(p, /boom/);
    for (const p of good) (await p).release();
    assert.equal(peak, 1);
    await sched.unloadAll();
  });
});
