// Runs every compiled benchmark (dist/bench/*.bench.js) one after another and prints a table.
// Benchmarks are never timed tests: they report figures and the targets they are measured against.
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dir = resolve("dist/bench");
const only = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith(".bench.js") && (!only.length || only.some((o) => f.includes(o)))).sort();
for (const f of files) {
  const mod = await import(pathToFileURL(join(dir, f)).href);
  if (typeof mod.run !== "function") continue;
  process.stdout.write(`\n== ${f.replace(".bench.js", "")}\n`);
  const t0 = Date.now();
  try {
    const res = await mod.run();
    for (const [k, v] of Object.entries(res)) process.stdout.write(`  ${k.padEnd(40)} ${typeof v === "number" ? +v.toFixed(3) : v}\n`);
  } catch (e) {
    process.stdout.write(`  failed: ${e?.stack ?? e}\n`);
    process.exitCode = 1;
  }
  process.stdout.write(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
}
