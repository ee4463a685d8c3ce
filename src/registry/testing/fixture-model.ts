// Test helper: a model in a Store built the way `create` builds one (model layer, template layer,
// config blob, manifest), from a fixture GGUF or from arbitrary bytes.

import { createReadStream } from "node:fs";
import { parseName } from "../../name/index.js";
import { CONFIG_MEDIA_TYPE, type Layer, type Manifest, MediaType, newManifest, type Store } from "../../store/index.js";

export interface FixtureModel {
  manifest: Manifest;
  model: Layer;
}

export async function makeModel(
  store: Store,
  name: string,
  src: { gguf?: string; bytes?: Uint8Array | AsyncIterable<Uint8Array>; template?: string; from?: string },
): Promise<FixtureModel> {
  const weights = src.gguf ? createReadStream(src.gguf, { highWaterMark: 1 << 20 }) : src.bytes!;
  const m = await store.blobs.write(weights);
  const model: Layer = { mediaType: MediaType.model, digest: m.digest, size: m.size };
  if (src.from) model.from = src.from;
  const layers: Layer[] = [model];
  if (src.template !== undefined) {
    const t = await store.blobs.write(src.template);
    layers.push({ mediaType: MediaType.template, digest: t.digest, size: t.size });
  }
  const config = JSON.stringify({
    model_format: "gguf",
    model_family: "llama",
    model_families: ["llama"],
    model_type: "260K",
    file_type: "F32",
    architecture: "amd64",
    os: "linux",
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) },
  });
  const c = await store.blobs.write(config);
  const manifest = newManifest({ mediaType: CONFIG_MEDIA_TYPE, digest: c.digest, size: c.size }, layers);
  await store.writeManifest(parseName(name), manifest);
  return { manifest, model };
}
