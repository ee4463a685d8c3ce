import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

// Objects that survive scavenges (a ring of 200,000 live entries, rewritten 15 times over) are what makes
// V8 grow the young generation. Each case runs in its own process so the test runner's heap is untouched.
function youngGenerationMiB(applyPolicy: boolean): { start: number; end: number } {
  const heap = new URL("./heap.js", import.meta.url).href;
  const script = `
    import { getHeapSpaceStatistics } from "node:v8";
    import { tightenHeap } from ${JSON.stringify(heap)};
    const size = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size / 2 ** 20;
    const start = size();
    if (${applyPolicy}) tightenHeap();
    const ring = new Array(200_000);
    for (let i = 0; i < 3_000_000; i++) ring[i % ring.length] = { i, s: "x" + i };
    console.log(JSON.stringify({ start, end: size() }));
  `;
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }));
}

test("without the policy, surviving objects grow V8's young generation (the growth the policy stops)", () => {
  const { start, end } = youngGenerationMiB(false);
  assert.ok(end >= 8 * start, `young generation ${start} → ${end} MiB`);
});

test("the server's heap policy (tightenHeap) keeps the young generation within one doubling of its initial size", () => {
  const { start, end } = youngGenerationMiB(true);
  assert.ok(end <= 2 * start, `young generation ${start} → ${end} MiB`);
});
