// Ollama's schema-2 manifest and config blob (ollama-spec §5.2, §16.6).

export const MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
export const CONFIG_MEDIA_TYPE = "application/vnd.docker.container.image.v1+json";

export const MediaType = {
  model: "application/vnd.ollama.image.model",
  projector: "application/vnd.ollama.image.projector",
  adapter: "application/vnd.ollama.image.adapter",
  draft: "application/vnd.ollama.image.draft",
  template: "application/vnd.ollama.image.template",
  prompt: "application/vnd.ollama.image.prompt",
  system: "application/vnd.ollama.image.system",
  params: "application/vnd.ollama.image.params",
  messages: "application/vnd.ollama.image.messages",
  license: "application/vnd.ollama.image.license",
  tensor: "application/vnd.ollama.image.tensor",
  json: "application/vnd.ollama.image.json",
  embed: "application/vnd.ollama.image.embed",
} as const;

export interface Layer {
  mediaType: string;
  digest: string;
  size: number;
  from?: string;
  name?: string;
}

export interface Manifest {
  schemaVersion: number;
  mediaType: string;
  config: Layer;
  layers: Layer[];
}

/** `model.ConfigV2`: what `/api/tags` and `/api/show` read without opening the GGUF. */
export interface ModelConfig {
  model_format?: string;
  model_family?: string;
  model_families?: string[] | null;
  model_type?: string;
  file_type?: string;
  renderer?: string;
  parser?: string;
  requires?: string;
  capabilities?: string[];
  context_length?: number;
  embedding_length?: number;
  base_name?: string;
  architecture: string;
  os: string;
  rootfs?: { type: string; diff_ids: string[] | null };
  [key: string]: unknown;
}

function layerJson(l: Layer): Layer {
  // Go's encoder order: mediaType, digest, size, from?, name?
  const out: Layer = { mediaType: l.mediaType, digest: l.digest, size: l.size };
  if (l.from) out.from = l.from;
  if (l.name) out.name = l.name;
  return out;
}

/** Serializes as Ollama's json.Encoder does: one line, fixed key order, trailing newline. */
export function encodeManifest(m: Manifest): Buffer {
  const ordered = {
    schemaVersion: m.schemaVersion,
    mediaType: m.mediaType,
    config: layerJson(m.config),
    layers: m.layers.map(layerJson),
  };
  return Buffer.from(JSON.stringify(ordered) + "\n");
}

export function parseManifest(raw: Buffer | string): Manifest {
  const m = JSON.parse(raw.toString()) as Manifest;
  if (!m || typeof m !== "object" || !m.config || !Array.isArray(m.layers)) {
    throw new Error("invalid manifest");
  }
  return m;
}

export function newManifest(config: Layer, layers: Layer[]): Manifest {
  return { schemaVersion: 2, mediaType: MANIFEST_MEDIA_TYPE, config, layers };
}

/** Sum of layer and config sizes, as `/api/tags` reports. */
export function manifestSize(m: Manifest): number {
  return m.layers.reduce((s, l) => s + l.size, m.config?.size ?? 0);
}
