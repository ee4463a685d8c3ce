// Runs every compiled test file (dist/**/*.test.js) with node's test runner.
// Node 20's `--test` takes no globs, so the files are listed here.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const filter = process.argv.slice(2);
function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out;
}
// Only compiled tests whose TypeScript source still exists: a deleted test's stale .js in dist/ is not run.
let files = walk("dist", []).filter((f) => existsSync(f.slice("dist/".length).replace(/\.js$/, ".ts"))).sort();
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
const r = spawnSync(process.execPath, ["--test", "--test-concurrency=2", ...files], { stdio: "inherit" });
process.exit(r.status ?? 1);
