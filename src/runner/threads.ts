// Thread policy: as Ollama and llama.cpp do, one thread per physical core, performance cores only on hybrid
// CPUs. SMT siblings share a core's vector units, so a second thread per core adds contention, not
// throughput, to matrix-vector work; efficiency cores finish each step last and every thread waits for the
// slowest at ggml's barriers. The same count serves prompts and generation (herd keeps them separate so
// `num_thread` or a later policy can split them). Each context runs a persistent ggml thread pool, without
// which ggml starts threads per decode and a second thread loses (measured: node-llama-cpp 2 threads
// 74 tok/s vs 1 thread 462 on synth-58M), while with the pool 2 threads gain (698 → 993 tok/s through koffi).
// `num_thread` overrides both counts.
// On 2 cores: 2 threads with the pool serve best on an otherwise idle machine (the issue's figures above). On
// an oversubscribed one (load average ~20 on this 2-core VM while other jobs ran) every extra thread loses:
// synth-58M gave ~140 tok/s on 1 thread and 5–15 on 2, because each of ggml's per-op barriers waits for
// whichever thread the kernel descheduled. The default still follows the hardware, as Ollama's does;
// `num_thread 1` is the remedy on a machine shared with other CPU-bound work.

import { availableParallelism } from "node:os";
import { readFileSync } from "node:fs";

export interface CpuTopology {
  /** Logical CPUs the process may use. */
  logical: number;
  /** Physical cores (distinct package/core ids). */
  physical: number;
  /** Physical performance cores on a hybrid CPU (undefined when the CPU is not hybrid). */
  performance?: number;
}

export interface ThreadCounts {
  /** Generation (one token per step). */
  threads: number;
  /** Prompt batches. */
  threadsBatch: number;
}

/** The default from the hardware: performance physical cores, else physical cores, at least one. */
export function defaultThreads(cpu: CpuTopology): number {
  const cores = cpu.performance ?? cpu.physical;
  return Math.max(1, Math.min(cores || cpu.logical, cpu.logical));
}

/**
 * `num_thread` when given (at least 1), else the default; never more than the logical CPUs nor `maxThreads`
 * (ggml's GGML_MAX_N_THREADS, whose per-thread arrays a larger pool overruns). Threads beyond the logical CPUs
 * only wait at ggml's barriers for descheduled siblings: num_thread 10000 took 15 s to start on 2 vCPUs and
 * a minute a token, and starved every other process of the machine.
 */
export function resolveThreads(numThread: number | undefined, cpu: CpuTopology = cpuTopology(), maxThreads = Infinity): ThreadCounts {
  const n = numThread !== undefined && numThread >= 1 ? Math.floor(numThread) : defaultThreads(cpu);
  const capped = Math.max(1, Math.min(n, cpu.logical, maxThreads));
  return { threads: capped, threadsBatch: capped };
}

let cached: CpuTopology | undefined;

/** This machine's topology from Linux sysfs; elsewhere all logical CPUs count as cores. */
export function cpuTopology(): CpuTopology {
  if (cached) return cached;
  const logical = availableParallelism();
  cached = { logical, physical: logical };
  if (process.platform !== "linux") return cached;
  try {
    cached = parseTopology(logical, readCpus(), (p) => readFileSync(p, "utf8"));
  } catch {
    // no sysfs: keep the logical count
  }
  return cached;
}

function readCpus(): number[] {
  return parseCpuList(readFileSync("/sys/devices/system/cpu/online", "utf8"));
}

/** "0-3,8,10-11" → [0,1,2,3,8,10,11] */
export function parseCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.trim().split(",")) {
    if (!part) continue;
    const [a, b] = part.split("-").map(Number);
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

/**
 * Topology from sysfs files read through `read`: physical cores are distinct (package, core) ids; on Intel
 * hybrid CPUs `/sys/devices/cpu_core/cpus` lists the performance cores' logical CPUs.
 */
export function parseTopology(logical: number, cpus: number[], read: (path: string) => string): CpuTopology {
  const coreOf = new Map<number, string>();
  for (const c of cpus) {
    const base = `/sys/devices/system/cpu/cpu${c}/topology`;
    coreOf.set(c, `${read(`${base}/physical_package_id`).trim()}:${read(`${base}/core_id`).trim()}`);
  }
  const physical = new Set(coreOf.values()).size;
  let performance: number | undefined;
  try {
    const pcpus = parseCpuList(read("/sys/devices/cpu_core/cpus"));
    const pcores = new Set(pcpus.filter((c) => coreOf.has(c)).map((c) => coreOf.get(c)));
    if (pcores.size > 0 && pcores.size < physical) performance = pcores.size;
  } catch {
    // not a hybrid CPU
  }
  return { logical: Math.min(logical, cpus.length || logical), physical, performance };
}
