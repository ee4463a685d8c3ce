// The model store: blobs plus manifests at `<root>/manifests/<host>/<namespace>/<model>/<tag>`,
// byte-compatible with Ollama's (ollama-spec §5), so both can share `~/.ollama/models`.

import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { displayShortest, isValidName, manifestPathParts, type ModelName } from "../name/index.js";
import { ModelNotFoundError } from "../util/errors.js";
import { BlobStore } from "./blobs.js";
import { encodeManifest, type Manifest, parseManifest } from "./manifest.js";
import { Mutex } from "./mutex.js";

export interface StoredManifest {
  name: ModelName;
  manifest: Manifest;
  /** The manifest file's bytes, as stored (pulled manifests are kept byte for byte). */
  raw: Buffer;
  /** Hex sha256 of `raw`: the model's ID. */
  digest: string;
  modifiedAt: Date;
}

export class Store {
  readonly root: string;
  readonly blobs: BlobStore;
  readonly manifestsDir: string;
  /** Serializes mutations (create, copy, delete, gc) inside this process. */
  readonly lock = new Mutex();

  constructor(root: string) {
    this.root = root;
    this.blobs = new BlobStore(root);
    this.manifestsDir = join(root, "manifests");
  }

  manifestPath(name: ModelName): string {
    return join(this.manifestsDir, ...manifestPathParts(name));
  }

  /** Finds the stored spelling of `name`, matching each part case-insensitively (Ollama's getExistingName). */
  async resolve(name: ModelName): Promise<ModelName | undefined> {
    const parts = manifestPathParts(name);
    let dir = this.manifestsDir;
    const found: string[] = [];
    for (const part of parts) {
      let entries: string[];
      try {
        entries = await readdir(dir);
      } catch {
        return undefined;
      }
      const exact = entries.find((e) => e === part) ?? entries.find((e) => e.toLowerCase() === part.toLowerCase());
      if (!exact) return undefined;
      found.push(exact);
      dir = join(dir, exact);
    }
    const [host, namespace, model, tag] = found;
    return { scheme: name.scheme, host, namespace, model, tag };
  }

  /** Reads a manifest; throws ModelNotFoundError (`model '<name>' not found`). */
  async readManifest(name: ModelName, display = displayShortest(name)): Promise<StoredManifest> {
    const existing = await this.resolve(name);
    if (!existing) throw new ModelNotFoundError(display);
    return this.readManifestAt(existing, display);
  }

  private async readManifestAt(name: ModelName, display: string): Promise<StoredManifest> {
    const path = this.manifestPath(name);
    let raw: Buffer;
    let st;
    try {
      [raw, st] = await Promise.all([readFile(path), stat(path)]);
    } catch {
      throw new ModelNotFoundError(display);
    }
    return {
      name,
      manifest: parseManifest(raw),
      raw,
      digest: createHash("sha256").update(raw).digest("hex"),
      modifiedAt: st.mtime,
    };
  }

  /**
   * Writes a manifest atomically (temp file + rename in the same directory). `raw` bytes are kept
   * as given (pulled manifests); a Manifest object is encoded as Ollama's json.Encoder would.
   * An existing name that differs only in case is overwritten in place.
   */
  async writeManifest(name: ModelName, manifest: Manifest | Buffer): Promise<void> {
    const target = (await this.resolve(name)) ?? name;
    const path = this.manifestPath(target);
    const bytes = Buffer.isBuffer(manifest) ? manifest : encodeManifest(manifest);
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      await writeFile(tmp, bytes, { mode: 0o644, flush: true });
      await rename(tmp, path);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Removes a manifest and the directories it leaves empty. */
  async deleteManifest(name: ModelName): Promise<void> {
    const existing = await this.resolve(name);
    if (!existing) throw new ModelNotFoundError(displayShortest(name));
    const path = this.manifestPath(existing);
    await rm(path);
    let dir = dirname(path);
    while (dir.startsWith(this.manifestsDir) && dir !== this.manifestsDir) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
      dir = dirname(dir);
    }
  }

  /**
   * Every manifest in the store. Unparseable ones are reported in `invalid` rather than thrown,
   * so one corrupt file never hides the rest (and blocks pruning, as in Ollama).
   * Synchronous fs calls on purpose: manifests are tiny, and 500 of them read in a tight loop take a
   * fraction of what 1,000 thread-pool round trips cost (this is the hot path of /api/tags).
   */
  async list(): Promise<{ models: StoredManifest[]; invalid: string[] }> {
    const models: StoredManifest[] = [];
    const invalid: string[] = [];
    const entries = (dir: string) => {
      try {
        return readdirSync(dir, { withFileTypes: true });
      } catch {
        return [];
      }
    };
    for (const host of entries(this.manifestsDir)) {
      if (!host.isDirectory()) continue;
      for (const ns of entries(join(this.manifestsDir, host.name))) {
        if (!ns.isDirectory()) continue;
        for (const model of entries(join(this.manifestsDir, host.name, ns.name))) {
          if (!model.isDirectory()) continue;
          const dir = join(this.manifestsDir, host.name, ns.name, model.name);
          for (const tag of entries(dir)) {
            if (!tag.isFile() || tag.name.includes(".tmp-")) continue;
            const name: ModelName = { scheme: "https", host: host.name, namespace: ns.name, model: model.name, tag: tag.name };
            if (!isValidName(name)) continue;
            const path = join(dir, tag.name);
            try {
              const raw = readFileSync(path);
              models.push({
                name,
                manifest: parseManifest(raw),
                raw,
                digest: createHash("sha256").update(raw).digest("hex"),
                modifiedAt: statSync(path).mtime,
              });
            } catch {
              invalid.push(path);
            }
          }
        }
      }
    }
    return { models, invalid };
  }

  /** Digests referenced by any manifest (layers and configs). */
  async referencedDigests(): Promise<{ digests: Set<string>; invalid: string[] }> {
    const { models, invalid } = await this.list();
    const digests = new Set<string>();
    for (const m of models) {
      if (m.manifest.config?.digest) digests.add(m.manifest.config.digest);
      for (const l of m.manifest.layers) digests.add(l.digest);
    }
    return { digests, invalid };
  }

  /** Deletes those of `candidates` no manifest references any more (after delete, re-create, pull). */
  async removeUnreferenced(candidates: Iterable<string>): Promise<string[]> {
    const { digests } = await this.referencedDigests();
    const removed: string[] = [];
    for (const d of new Set(candidates)) {
      if (!digests.has(d)) {
        await this.blobs.remove(d);
        removed.push(d);
      }
    }
    return removed;
  }
}
