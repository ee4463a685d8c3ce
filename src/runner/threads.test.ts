import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultThreads, parseCpuList, parseTopology, resolveThreads, type CpuTopology } from "./threads.js";

/** A fake sysfs: `cores` physical cores with `smt` logical CPUs each; `pcores` of them performance cores. */
function sysfs(cores: number, smt: number, pcores?: number) {
  const files = new Map<string, string>();
  const cpus: number[] = [];
  const perf: number[] = [];
  for (let core = 0; core < cores; core++)
    for (let t = 0; t < smt; t++) {
      const cpu = t * cores + core;
      cpus.push(cpu);
      files.set(`/sys/devices/system/cpu/cpu${cpu}/topology/physical_package_id`, "0\n");
      files.set(`/sys/devices/system/cpu/cpu${cpu}/topology/core_id`, `${core}\n`);
      if (pcores !== undefined && core < pcores) perf.push(cpu);
    }
  if (pcores !== undefined) files.set("/sys/devices/cpu_core/cpus", `${perf.join(",")}\n`);
  const read = (p: string) => {
    const v = files.get(p);
    if (v === undefined) throw new Error(`ENOENT ${p}`);
    return v;
  };
  return parseTopology(cpus.length, cpus.sort((a, b) => a - b), read);
}

describe("thread policy", () => {
  for (const cores of [1, 2, 4, 8, 16, 64]) {
    it(`${cores} cores: one thread per physical core, SMT siblings not counted`, () => {
      assert.equal(defaultThreads(sysfs(cores, 1)), cores);
      assert.equal(defaultThreads(sysfs(cores, 2)), cores);
      assert.deepEqual(resolveThreads(undefined, sysfs(cores, 2)), { threads: cores, threadsBatch: cores });
    });
  }

  it("hybrid CPUs use their performance cores only", () => {
    // e.g. 6 P-cores with SMT + 8 E-cores: 14 physical cores, 20 logical CPUs.
    const t = sysfs(14, 1, 6);
    assert.equal(t.physical, 14);
    assert.equal(t.performance, 6);
    assert.equal(defaultThreads(t), 6);
  });

  it("num_thread overrides both counts; never below one", () => {
    const cpu: CpuTopology = { logical: 8, physical: 4 };
    assert.deepEqual(resolveThreads(3, cpu), { threads: 3, threadsBatch: 3 });
    assert.deepEqual(resolveThreads(0, cpu), { threads: 4, threadsBatch: 4 });
    assert.equal(defaultThreads({ logical: 1, physical: 0 }), 1);
  });

  it("num_thread is capped at the logical CPUs and at ggml's pool size", () => {
    assert.deepEqual(resolveThreads(10_000, { logical: 8, physical: 4 }), { threads: 8, threadsBatch: 8 });
    assert.deepEqual(resolveThreads(1000, { logical: 768, physical: 384 }, 512), { threads: 512, threadsBatch: 512 });
    assert.deepEqual(resolveThreads(0.5, { logical: 8, physical: 4 }), { threads: 4, threadsBatch: 4 });
  });

  it("parses sysfs cpu lists", () => {
    assert.deepEqual(parseCpuList("0-3,8,10-11\n"), [0, 1, 2, 3, 8, 10, 11]);
  });
});
