// Paths to the shared, read-only test fixtures beside the checkout (`../shared`).
// Tests copy to a temp dir whatever they must change.

import { mkdtempSync, rmSync } from "node:fs";
import { packageRoot } from "../config/paths.js";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO_ROOT = packageRoot();
export const SHARED = process.env.HERD_SHARED_DIR ?? resolve(REPO_ROOT, "..", "shared");
export const MODELS = join(SHARED, "models");
export const FIXTURES = join(SHARED, "fixtures");

export function model(name: string): string {
  return join(MODELS, name);
}

/** A fresh temp dir, removed by the returned cleanup. */
export function tempDir(prefix = "herd-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
