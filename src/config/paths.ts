// herd's own install location: the directory holding its package.json, found from this module so it
// works from `src/` (tsx) and from `dist/src/` (compiled) alike.

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("package.json not found above " + from);
    dir = up;
  }
  return dir;
}
