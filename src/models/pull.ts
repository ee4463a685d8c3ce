// `herd pull` / `POST /api/pull` (ollama-spec §6, §16.3): manifest first, then each layer (config
// last, as Ollama), verified before it takes its digest name, and the manifest written last, byte for
// byte as served. A failed pull writes no manifest; verified blobs it already fetched stay as
// unreferenced blobs (startup GC removes them after its grace period) and partials stay for resuming.

import type { ProgressResponse } from "../api/types.js";
import { type ModelName, parseName, shortDigest } from "../name/index.js";
import { type RegistryClient, RegistryNotFoundError, downloadBlob, repositoryUrl, type TransferTuning } from "../registry/index.js";
import { type Layer, parseManifest, type Store } from "../store/index.js";
import { RegistryError } from "../util/errors.js";

export interface PullOptions {
  insecure?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: ProgressResponse) => void;
  /** Keep the previous manifest's layers (OLLAMA_NOPRUNE). */
  noPrune?: boolean;
  tuning?: TransferTuning;
}

function wrapManifestError(e: unknown): unknown {
  if (e instanceof RegistryNotFoundError) return new RegistryError("pull model manifest: file does not exist");
  if (e instanceof RegistryError && !/^insecure protocol/.test(e.message)) {
    return new RegistryError(`pull model manifest: ${e.message}`);
  }
  return e;
}

export async function pullModel(
  store: Store,
  client: RegistryClient,
  model: string | ModelName,
  opts: PullOptions = {},
): Promise<void> {
  const name = typeof model === "string" ? parseName(model) : model;
  repositoryUrl(name, opts.insecure); // `insecure protocol http` before any progress, as Ollama
  const progress = opts.onProgress ?? (() => {});
  const signal = opts.signal;

  const previous = await store.readManifest(name).catch(() => undefined);

  progress({ status: "pulling manifest" });
  let raw: Buffer;
  try {
    raw = await client.getManifest(name, { insecure: opts.insecure, signal });
  } catch (e) {
    throw wrapManifestError(e);
  }
  const manifest = parseManifest(raw);
  if (manifest.layers.some((l) => l.mediaType === "application/vnd.ollama.image.tensor")) {
    throw new RegistryError("this model requires MLX support, but the MLX runtime is not available");
  }
  const layers: Layer[] = [...manifest.layers];
  if (manifest.config?.digest) layers.push(manifest.config);

  for (const layer of layers) {
    signal?.throwIfAborted();
    const status = `pulling ${shortDigest(layer.digest)}`;
    progress({ status, digest: layer.digest, total: layer.size });
    let last = -1;
    await downloadBlob({
      client,
      name,
      digest: layer.digest,
      size: layer.size,
      blobs: store.blobs,
      insecure: opts.insecure,
      signal,
      tuning: opts.tuning,
      onProgress: (completed) => {
        if (completed === last) return;
        last = completed;
        progress({ status, digest: layer.digest, total: layer.size, completed });
      },
    });
    if (last !== layer.size) progress({ status, digest: layer.digest, total: layer.size, completed: layer.size });
  }

  // Each downloaded blob was hashed before its rename; this line keeps Ollama's sequence.
  progress({ status: "verifying sha256 digest" });
  progress({ status: "writing manifest" });
  await store.lock.run(async () => {
    signal?.throwIfAborted();
    await store.writeManifest(name, raw);
  });

  if (previous && !opts.noPrune) {
    const keep = new Set(layers.map((l) => l.digest));
    const old = [...previous.manifest.layers, previous.manifest.config].map((l) => l?.digest).filter((d): d is string => !!d && !keep.has(d));
    if (old.length) {
      progress({ status: "removing unused layers" });
      await store.lock.run(() => store.removeUnreferenced(old));
    }
  }
  progress({ status: "success" });
}
