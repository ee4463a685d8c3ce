// Where scripts/build-mtmd.mjs put llama.cpp's multimodal library: `<packageRoot>/.native/<release>-<bundle
// sha256[:12]>/libmtmd.so` (the script says why there). Both sides derive the key from the same release
// bundle, so a node-llama-cpp upgrade without a rebuild reads as "not built" rather than loading a library
// built against other headers.

import { createHash } from "node:crypto";
import { existsSync, openSync, readFileSync, readSync, closeSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** herd's package root: the nearest folder above this file with herd's package.json (src/ or dist/src/ below it). */
const packageRoot = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; ; ) {
    const pj = join(dir, "package.json");
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === "herd") return dir;
    const up = dirname(dir);
    if (up === dir) return join(from, "..", "..", "..");
    dir = up;
  }
}

/** What a user runs to get vision, in every "vision is not available" message. */
export const VISION_HOWTO =
  "vision needs llama.cpp's libmtmd, which is built when herd is installed on a machine with a C++ compiler and git; " +
  `install them (Debian/Ubuntu: apt-get install build-essential git) and run \`node ${join(packageRoot, "scripts", "build-mtmd.mjs")}\``;

let cached: { path?: string; reason: string } | undefined;

/** The built libmtmd for this release, or why there is none. Computed once per process. */
export function mtmdLibrary(): { path?: string; reason: string } {
  if (cached) return cached;
  cached = locate();
  return cached;
}

function locate(): { path?: string; reason: string } {
  if (process.platform !== "linux" || process.arch !== "x64") {
    return { reason: `images are not supported on ${process.platform}-${process.arch} yet` };
  }
  let llamaDir: string;
  try {
    llamaDir = join(packageDirOf("node-llama-cpp"), "llama");
  } catch {
    return { reason: `node-llama-cpp is not installed; ${VISION_HOWTO}` };
  }
  try {
    const release = (JSON.parse(readFileSync(join(llamaDir, "binariesGithubRelease.json"), "utf8")) as { release: string }).release;
    const key = `${release}-${sha256File(join(llamaDir, "gitRelease.bundle")).slice(0, 12)}`;
    const lib = join(packageRoot, ".native", key, "libmtmd.so");
    return existsSync(lib) ? { path: lib, reason: "" } : { reason: `the vision library is not built; ${VISION_HOWTO}` };
  } catch (err) {
    return { reason: `the vision library cannot be located (${(err as Error).message}); ${VISION_HOWTO}` };
  }
}

function packageDirOf(name: string): string {
  const req = createRequire(join(packageRoot, "package.json"));
  let dir = dirname(req.resolve(name));
  for (;;) {
    const pj = join(dir, "package.json");
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === name) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`${name} not found`);
    dir = up;
  }
}

function sha256File(file: string): string {
  const h = createHash("sha256");
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest("hex");
}
