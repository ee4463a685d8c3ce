// herd's version, reported by /api/version and `herd --version`: the package's own, read from the
// package.json it was installed with, so a release never reports a stale constant. Ollama clients
// compare it as semver.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./paths.js";

export const VERSION: string = JSON.parse(readFileSync(join(packageRoot(import.meta.url), "package.json"), "utf8")).version;
