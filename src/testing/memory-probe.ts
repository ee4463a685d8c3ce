// A memory probe for benchmarks and leak hunts, preloaded into `herd serve` with
// `NODE_OPTIONS=--import <this file>` so that nothing of it ships in the server (no route, no handler).
// On SIGUSR2 it appends one JSON line to $HERD_MEMORY_PROBE_FILE: process.memoryUsage(), the kernel's
// view of the process (/proc/self/smaps_rollup, the mapping count) and the live libuv handles by kind.
// With $HERD_MEMORY_PROBE_SNAPSHOTS (a folder) each sample also writes a V8 heap snapshot there, to be
// diffed by constructor between two points of a soak.

import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { getHeapSpaceStatistics, writeHeapSnapshot } from "node:v8";

export interface MemorySample {
  pid: number;
  seq: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** /proc/self/smaps_rollup fields in bytes (Rss, Anonymous, Private_Dirty, …); empty without /proc. */
  smaps: Record<string, number>;
  mappings: number;
  /** V8's spaces (new_space, old_space, …): committed bytes and bytes in use. */
  spaces: Record<string, { size: number; used: number }>;
  handles: Record<string, number>;
}

function smapsRollup(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of readFileSync("/proc/self/smaps_rollup", "utf8").split("\n")) {
      const m = /^(\w+):\s+(\d+) kB/.exec(line);
      if (m) out[m[1]] = Number(m[2]) * 1024;
    }
  } catch {
    // no /proc here
  }
  return out;
}

function mappingCount(): number {
  try {
    return readFileSync("/proc/self/maps", "utf8").split("\n").length - 1;
  } catch {
    return 0;
  }
}

export function sample(seq: number): MemorySample {
  const handles: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) handles[kind] = (handles[kind] ?? 0) + 1;
  const spaces: MemorySample["spaces"] = {};
  for (const s of getHeapSpaceStatistics()) spaces[s.space_name] = { size: s.space_size, used: s.space_used_size };
  return { pid: process.pid, seq, ...process.memoryUsage(), smaps: smapsRollup(), mappings: mappingCount(), spaces, handles };
}

const file = process.env.HERD_MEMORY_PROBE_FILE;
const snapshots = process.env.HERD_MEMORY_PROBE_SNAPSHOTS;
// Only the process the probe was meant for: runner children inherit NODE_OPTIONS but not this mark.
if (file && process.env.HERD_MEMORY_PROBE_INHERITED !== "1") {
  process.env.HERD_MEMORY_PROBE_INHERITED = "1";
  let seq = 0;
  process.on("SIGUSR2", () => {
    seq++;
    if (snapshots) writeHeapSnapshot(join(snapshots, `${process.pid}-${seq}.heapsnapshot`));
    appendFileSync(file, JSON.stringify(sample(seq)) + "\n");
  });
}
