// Runs on `npm ci`/`npm install` in a clone: compiles TypeScript so `node bin/herd.js` works.
// `--clean` (the prepack step) first empties dist/, so a package never ships output of deleted sources.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";

const root = new URL("..", import.meta.url);
if (!existsSync(new URL("node_modules/typescript/bin/tsc", root))) {
  // Installed as a dependency without dev tools (npm install -g from a tarball ships dist/).
  process.exit(0);
}
if (process.argv.includes("--clean")) rmSync(new URL("dist", root), { recursive: true, force: true });
const r = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], { stdio: "inherit", cwd: root });
process.exit(r.status ?? 1);
