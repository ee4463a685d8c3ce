// Runs on `npm ci`/`npm install`: compiles TypeScript so `node bin/herd.js` works on a fresh clone, then
// builds the vision library (scripts/build-mtmd.mjs: a no-op when up to date or without a compiler).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const root = new URL("..", import.meta.url);
// Installed as a dependency without dev tools (npm install -g from a tarball ships dist/): nothing to compile.
if (existsSync(new URL("../node_modules/typescript/bin/tsc", import.meta.url))) {
  const r = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], { stdio: "inherit", cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const m = spawnSync(process.execPath, ["scripts/build-mtmd.mjs"], { stdio: "inherit", cwd: root });
process.exit(m.status ?? 1);
