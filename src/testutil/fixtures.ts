// Paths to the repository's read-only test data (`test/data/`, see its README for origins and licenses).
// Tests copy to a temp dir whatever they must change. Files stored brotli-compressed (`name.br`, the few
// real ones over 2 MiB) are unpacked once into a cache under the repository's `.cache/`.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { packageRoot } from "../config/paths.js";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { brotliDecompressSync } from "node:zlib";

export const REPO_ROOT = packageRoot();
export const TEST_DATA = join(REPO_ROOT, "test", "data");
export const MODELS = join(TEST_DATA, "models");
export const FIXTURES = join(TEST_DATA, "fixtures");
/** Generated and unpacked test files live here between runs (git-ignored). */
export const TEST_CACHE = join(REPO_ROOT, ".cache", "test-data");

// TEMPORARY: generated models (synthetic/, bench/) still come from ../shared until their generators land.
const LEGACY_SHARED = join(REPO_ROOT, "..", "shared", "models");

/** A test-data file by its path under `test/data/models/`, unpacked if it is stored compressed. */
export function model(name: string): string {
  if (name.startsWith("synthetic/") || name.startsWith("bench/")) return join(LEGACY_SHARED, name);
  return dataFile(join(MODELS, name));
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
