// Startup garbage collection (ollama-spec §5.4): unreferenced blobs past a grace period, stray temp
// files, and empty manifest directories. Partial downloads younger than a day are kept so an
// interrupted pull can resume after a restart.

import { readdir, rm, rmdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { isDigest } from "../name/index.js";
import { TEMP_PREFIX } from "./blobs.js";
import type { Store } from "./store.js";

export interface PruneOptions {
  /** Unreferenced blobs younger than this are kept (a create or pull may be about to reference them). */
  graceMs?: number;
  /** Partial downloads younger than this are kept for resuming. */
  partialMaxAgeMs?: number;
  now?: number;
}

export interface PruneResult {
  removed: string[];
  /** Blob files (sha256-…) found, referenced or not, and how many of them went (`removed` lists strays too). */
  blobs: number;
  blobsRemoved: number;
  skipped?: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function pruneStore(store: Store, opts: PruneOptions = {}): Promise<PruneResult> {
  const grace = opts.graceMs ?? 3_600_000;
  const partialAge = opts.partialMaxAgeMs ?? 86_400_000;
  const now = opts.now ?? Date.now();
  const { digests, invalid } = await store.referencedDigests();
  if (invalid.length) {
    // As Ollama: a manifest we cannot read may reference anything, so delete nothing.
    return { removed: [], blobs: 0, blobsRemoved: 0, skipped: `corrupt manifests: ${invalid.join(", ")}` };
  }
  const removed: string[] = [];
  let blobs = 0;
  let blobsRemoved = 0;
  let entries: string[] = [];
  try {
    entries = await readdir(store.blobs.dir);
  } catch {
    return { removed, blobs, blobsRemoved };
  }
  for (const name of entries) {
    const path = join(store.blobs.dir, name);
    let st;
    try {
      st = await stat(path);
    } catch {
      continue;
    }
    const age = now - st.mtimeMs;
    let remove = false;
    if (isDigest(name)) {
      blobs++;
      remove = !digests.has(name.replace("-", ":").toLowerCase()) && age > grace;
    } else if (/^sha256-[0-9a-f]{64}-partial(-\d+)?$/.test(name)) {
      remove = age > partialAge;
    } else if (name.startsWith(TEMP_PREFIX)) {
      const pid = Number(name.slice(TEMP_PREFIX.length).split("-")[0]);
      remove = !(pid !== process.pid && pidAlive(pid) && age < grace);
    } else {
      remove = true;
    }
    if (remove) {
      await rm(path, { force: true, recursive: true });
      removed.push(name);
      if (isDigest(name)) blobsRemoved++;
    }
  }
  await pruneDerived(store, grace, now);
  await removeEmptyDirs(store.manifestsDir, true);
  return { removed, blobs, blobsRemoved };
}

/** Derived files whose blob is gone, and stale temp files of an interrupted translation. */
async function pruneDerived(store: Store, grace: number, now: number): Promise<void> {
  let names: string[];
  try {
    names = await readdir(store.blobs.derivedDir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(store.blobs.derivedDir, name);
    let remove: boolean;
    if (name.startsWith(TEMP_PREFIX)) {
      const pid = Number(name.slice(TEMP_PREFIX.length).split("-")[0]);
      const age = now - ((await stat(path).catch(() => undefined))?.mtimeMs ?? 0);
      remove = !(pid !== process.pid && pidAlive(pid) && age < grace);
    } else {
      const blob = /^(sha256-[0-9a-f]{64})\./.exec(name)?.[1];
      remove = blob === undefined ? false : !(await stat(join(store.blobs.dir, blob)).then(() => true, () => false));
    }
    if (remove) await rm(path, { force: true, recursive: true });
  }
}

async function removeEmptyDirs(dir: string, isRoot: boolean): Promise<boolean> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  let empty = true;
  for (const e of entries) {
    if (e.isDirectory() && (await removeEmptyDirs(join(dir, e.name), false))) continue;
    empty = false;
  }
  if (empty && !isRoot) {
    await rmdir(dir).catch(() => {});
    return true;
  }
  return false;
}
