// `herd push` / `POST /api/push` (ollama-spec §6, §16.3): every layer and the config uploaded unless
// the registry has them (or can mount them from the layer's source repository), then the stored
// manifest bytes PUT under the tag — so the pushed model has the same digest as the local one.

import type { ProgressResponse } from "../api/types.js";
import { type ModelName, parseName, shortDigest } from "../name/index.js";
import { putManifest, type RegistryClient, repositoryUrl, type TransferTuning, uploadBlob } from "../registry/index.js";
import type { Layer, Store } from "../store/index.js";

export interface PushOptions {
  insecure?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: ProgressResponse) => void;
  tuning?: TransferTuning;
}

export async function pushModel(
  store: Store,
  client: RegistryClient,
  model: string | ModelName,
  opts: PushOptions = {},
): Promise<void> {
  const name = typeof model === "string" ? parseName(model) : model;
  const progress = opts.onProgress ?? (() => {});
  progress({ status: "retrieving manifest" });
  repositoryUrl(name, opts.insecure);
  const stored = await store.readManifest(name);
  const layers: Layer[] = [...stored.manifest.layers];
  if (stored.manifest.config?.digest) layers.push(stored.manifest.config);

  for (const layer of layers) {
    opts.signal?.throwIfAborted();
    const status = `pushing ${shortDigest(layer.digest)}`;
    progress({ status, digest: layer.digest, total: layer.size });
    let lastAt = 0;
    await uploadBlob({
      client,
      name,
      layer,
      path: store.blobs.path(layer.digest),
      insecure: opts.insecure,
      signal: opts.signal,
      tuning: opts.tuning,
      onProgress: (completed) => {
        const now = Date.now();
        if (completed < layer.size && now - lastAt < 60) return;
        lastAt = now;
        progress({ status, digest: layer.digest, total: layer.size, completed });
      },
    });
  }

  progress({ status: "pushing manifest" });
  await putManifest(client, name, stored.raw, { insecure: opts.insecure, signal: opts.signal });
  progress({ status: "success" });
}
