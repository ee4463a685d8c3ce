// The server's V8 heap policy (issue 15: memory stays flat under a soak).
//
// Measured over 10,000-request soaks (bench/soak.bench.ts with SOAK_TRACE=1): the live heap after a full GC
// (17 MiB), external memory, malloc's share (RSS less V8's heap, ~7 MiB) and the mapped files all stay flat,
// yet RSS grew 77 → 99 MiB (peak 121) because V8 sizes its heap to the burst and keeps it: the young
// generation grows from 1 MiB to 16 MiB per semi-space whenever concurrent requests keep objects alive across
// scavenges, and old space keeps twice its live size committed (22 → 44 MiB with the young generation held
// small alone). The server only routes (inference runs in the runner processes), so its per-request garbage
// is small and short-lived and a tight heap costs it a few more sub-millisecond collections. In paired
// soaks with both settings below RSS grew 7% after warm-up (75 → 80 MiB, peak 81); without them 36% (81 → 110).
//
// `--max-semi-space-size` only takes effect at isolate start, so the young generation is stopped from
// growing instead (`--semi-space-growth-factor`, read each time the new space would grow), and
// `--optimize-for-size` makes V8 grow old space conservatively (its memory-saving heap growing mode). Both
// are V8 flags set in this process only: runner processes are forked with their own isolates, untouched.

import { setFlagsFromString } from "node:v8";

export const SERVER_V8_FLAGS = ["--semi-space-growth-factor=1", "--optimize-for-size"];

export function tightenHeap(): void {
  for (const flag of SERVER_V8_FLAGS) setFlagsFromString(flag);
}
