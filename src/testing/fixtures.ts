// Paths to the repository's read-only test data (`test/data/`, see its README for origins and licenses).
// Tests copy to a temp dir whatever they must change. Files stored brotli-compressed (`name.br`, the few
// real ones over 2 MiB) are unpacked once into a cache under the repository's `.cache/`.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../config/paths.js";
import { GENERATED, GENERATOR_VERSION } from "./generated-models.js";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { brotliDecompressSync } from "node:zlib";

export const REPO_ROOT = packageRoot();
export const TEST_DATA = join(REPO_ROOT, "test", "data");
export const MODELS = join(TEST_DATA, "models");
export const FIXTURES = join(TEST_DATA, "fixtures");
/** Generated and unpacked test files live here between runs (git-ignored). */
export const TEST_CACHE = join(REPO_ROOT, ".cache", "test-data");

/**
 * A test model by its path under `test/data/models/`, unpacked if it is stored compressed; the large
 * ones (`synthetic/…`, `bench/…`) are generated on first use (generated-models.ts) and cached.
 */
export function model(name: string): string {
  if (name in GENERATED) return generated(name);
  return dataFile(join(MODELS, name));
}

/** A generated model's cached path, written first when missing (the generator's version is in the key). */
function generated(name: string): string {
  const out = join(TEST_CACHE, `generated-v${GENERATOR_VERSION}`, name);
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  // Write then rename: concurrent test files may generate the same model. A child process, so this
  // lookup stays synchronous while the generator reads its vocabulary with the async GGUF reader.
  const tmp = `${out}.${process.pid}.tmp`;
  const entry = fileURLToPath(new URL("./generate-model.js", import.meta.url));
  const r = spawnSync(process.execPath, [entry, name, tmp], { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`generating test model ${name} failed (${r.error?.message ?? `exit ${r.status}`})`);
  }
  renameSync(tmp, out);
  return out;
}

/** A test-data file by its path under `test/data/fixtures/`, unpacked if it is stored compressed. */
export function fixture(name: string): string {
  return dataFile(join(FIXTURES, name));
}

/** The path of a data file, or of its unpacked copy when only `path.br` exists. */
export function dataFile(path: string): string {
  if (existsSync(path) || !existsSync(`${path}.br`)) return path;
  const out = join(TEST_CACHE, relative(TEST_DATA, path));
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  // Write then rename: concurrent test files may unpack the same file.
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, brotliDecompressSync(readFileSync(`${path}.br`)));
  renameSync(tmp, out);
  return out;
}

/** A fresh temp dir, removed by the returned cleanup. */
export function tempDir(prefix = "herd-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
