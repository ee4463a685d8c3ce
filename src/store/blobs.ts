// Content-addressed blobs under `<root>/blobs/sha256-<hex>` (ollama-spec §5.1).
// Crash safety: bytes go to a temp file, hashed while written, fsynced, then renamed to their digest
// name, so a kill at any moment leaves no blob whose content does not match its name.

import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { digestFileName, parseDigest } from "../name/index.js";
import { BadRequestError, BlobNotFoundError } from "../util/errors.js";

export type ByteSource = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | Uint8Array | string;

/** Temp files start with this prefix; startup pruning removes stale ones. */
export const TEMP_PREFIX = "tmp-";

export interface BlobInfo {
  digest: string;
  size: number;
}

function toIterable(src: ByteSource): AsyncIterable<Uint8Array> {
  if (typeof src === "string") return Readable.from([Buffer.from(src)]);
  if (src instanceof Uint8Array) return Readable.from([src]);
  if (typeof (src as ReadableStream).getReader === "function") {
    return Readable.fromWeb(src as import("node:stream/web").ReadableStream<Uint8Array>);
  }
  return src as AsyncIterable<Uint8Array>;
}

/** Files herd derives from a blob (translations for llama.cpp), named `<sha256-hex>.<suffix>`. */
export const DERIVED_DIR = "herd-derived";

export class BlobStore {
  readonly dir: string;
  /** Beside `blobs/`, where Ollama never looks; removed with the blob they came from. */
  readonly derivedDir: string;

  constructor(root: string) {
    this.dir = join(root, "blobs");
    this.derivedDir = join(root, DERIVED_DIR);
  }

  path(digest: string): string {
    return join(this.dir, digestFileName(digest));
  }

  async has(digest: string): Promise<boolean> {
    try {
      return (await stat(this.path(digest))).isFile();
    } catch {
      return false;
    }
  }

  async size(digest: string): Promise<number> {
    try {
      return (await stat(this.path(digest))).size;
    } catch {
      throw new BlobNotFoundError(parseDigest(digest));
    }
  }

  /** Marks a reused blob as recently used, so the startup grace period protects it (as Ollama). */
  async touch(digest: string): Promise<void> {
    const now = new Date();
    await utimes(this.path(digest), now, now).catch(() => {});
  }

  /**
   * Streams `src` into the store. With `expected`, a mismatch deletes the bytes and throws
   * Ollama's `digest mismatch, expected "…", got "…"`. Returns the digest and size.
   */
  async write(src: ByteSource, expected?: string, hooks?: { beforeRename?: () => Promise<void> }): Promise<BlobInfo> {
    const want = expected ? parseDigest(expected) : undefined;
    await mkdir(this.dir, { recursive: true, mode: 0o755 });
    const tmp = join(this.dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString("hex")}`);
    const hash = createHash("sha256");
    let size = 0;
    const fh = await open(tmp, "w", 0o644);
    let renamed = false;
    try {
      for await (const chunk of toIterable(src)) {
        hash.update(chunk);
        size += chunk.length;
        let off = 0;
        while (off < chunk.length) {
          const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
          off += bytesWritten;
        }
      }
      await fh.sync();
      await fh.close();
      const digest = `sha256:${hash.digest("hex")}`;
      if (want && want !== digest) {
        throw new BadRequestError(`digest mismatch, expected "${want}", got "${digest}"`);
      }
      await hooks?.beforeRename?.();
      const final = this.path(digest);
      if (await this.has(digest)) {
        await this.touch(digest);
      } else {
        await rename(tmp, final);
        renamed = true;
      }
      return { digest, size };
    } finally {
      await fh.close().catch(() => {});
      if (!renamed) await rm(tmp, { force: true });
    }
  }

  /** A fresh temp path inside the blob folder (same filesystem, so `adopt` renames instead of copying). */
  async tempPath(): Promise<string> {
    await mkdir(this.dir, { recursive: true, mode: 0o755 });
    return join(this.dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString("hex")}`);
  }

  /**
   * Makes a finished file from `tempPath()` a blob: hashed, fsynced, renamed to its digest (or dropped when
   * that blob already exists). The temp file is gone afterwards either way.
   */
  async adopt(tmp: string): Promise<BlobInfo> {
    try {
      const { digest, size } = await BlobStore.hashFile(tmp);
      const fh = await open(tmp, "r+");
      await fh.sync().finally(() => fh.close());
      if (await this.has(digest)) await this.touch(digest);
      else await rename(tmp, this.path(digest));
      return { digest, size };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Hashes a file already on disk without copying it. */
  static async hashFile(path: string): Promise<BlobInfo> {
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { digest: `sha256:${hash.digest("hex")}`, size };
  }

  async read(digest: string): Promise<Buffer> {
    const { readFile } = await import("node:fs/promises");
    try {
      return await readFile(this.path(digest));
    } catch {
      throw new BlobNotFoundError(parseDigest(digest));
    }
  }

  async remove(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
    await this.removeDerived(digestFileName(digest));
  }

  /** Removes the files derived from the blob named `blobName` (`sha256-<hex>`). */
  async removeDerived(blobName: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.derivedDir);
    } catch {
      return;
    }
    for (const n of names) if (n.startsWith(`${blobName}.`)) await rm(join(this.derivedDir, n), { force: true });
  }
}
