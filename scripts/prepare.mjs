// Runs on `npm ci`/`npm install`: compiles TypeScript so `node bin/herd.js` works on a fresh clone.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

if (!existsSync(new URL("../node_modules/typescript/bin/tsc", import.meta.url))) {
  // Installed as a dependency without dev tools (npm install -g from a tarball ships dist/).
  process.exit(0);
}
const r = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], {
  stdio: "inherit",
  cwd: new URL("..", import.meta.url),
});
process.exit(r.status ?? 1);
