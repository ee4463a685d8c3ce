// Runs on `npm ci`/`npm install` in a clone: compiles TypeScript so `node bin/herd.js` works, then builds
// the vision library (scripts/build-mtmd.mjs: a no-op when up to date or without a compiler).
// `--clean` (the prepack step) first empties dist/ and builds only TypeScript, so a package never ships
// output of deleted sources.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";

const root = new URL("..", import.meta.url);
const clean = process.argv.includes("--clean");
// Installed as a dependency without dev tools (npm install -g from a tarball ships dist/): nothing to compile.
if (existsSync(new URL("node_modules/typescript/bin/tsc", root))) {
  if (clean) rmSync(new URL("dist", root), { recursive: true, force: true });
  const r = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], { stdio: "inherit", cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (clean) process.exit(0);
const m = spawnSync(process.execPath, ["scripts/build-mtmd.mjs"], { stdio: "inherit", cwd: root });
process.exit(m.status ?? 1);
