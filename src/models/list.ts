// `/api/tags` (ollama-spec §1.5): every manifest with details and capabilities, newest first.
// Entries are cached by manifest digest: a listing re-reads only the manifests (cheap), and the
// config blob, template and GGUF header only for models it has not seen, once however many listings
// ask at the same time. System prompts, licenses and other large layers are never read here.

import type { ListModelResponse, ModelDetails } from "../api/types.js";
import { displayShortest } from "../name/index.js";
import { manifestSize, type Model, readModel, type Store, type StoredManifest } from "../store/index.js";
import { modelCapabilities } from "./capabilities.js";
import type { GgufCache } from "../gguf/index.js";

type Entry = Omit<ListModelResponse, "modified_at">;

export function detailsOf(model: Model): ModelDetails {
  const c = model.config;
  return {
    parent_model: model.parentModel,
    format: c.model_format || "gguf",
    family: c.model_family ?? "",
    families: c.model_families ?? null,
    parameter_size: c.model_type ?? "",
    quantization_level: c.file_type ?? "",
  };
}

export class ModelLister {
  /** By name and manifest digest; a promise, so concurrent listings share one read. */
  private entries = new Map<string, Promise<Entry>>();

  constructor(
    private readonly store: Store,
    private readonly ggufs: GgufCache,
  ) {}

  private entry(m: StoredManifest): Promise<Entry> {
    const key = this.keyOf(m);
    let p = this.entries.get(key);
    if (!p) {
      p = this.read(m);
      p.catch(() => this.entries.delete(key));
      this.entries.set(key, p);
    }
    return p;
  }

  private keyOf(m: StoredManifest): string {
    return `${displayShortest(m.name)}@${m.digest}`;
  }

  private async read(m: StoredManifest): Promise<Entry> {
    const model = await readModel(this.store, m.name, "listing");
    const gguf = model.modelPath ? await this.ggufs.read(model.modelPath).catch(() => undefined) : undefined;
    const name = displayShortest(m.name);
    const e = {
      name,
      model: name,
      size: manifestSize(m.manifest),
      digest: m.digest,
      details: detailsOf(model),
      capabilities: modelCapabilities(model, gguf),
    };
    return e;
  }

  async list(): Promise<ListModelResponse[]> {
    const { models } = await this.store.list();
    // Entries of models gone or changed are dropped, so the cache holds at most one per stored model.
    const current = new Set(models.map((m) => this.keyOf(m)));
    for (const key of this.entries.keys()) if (!current.has(key)) this.entries.delete(key);
    const out = await Promise.all(
      models.map(async (m) => {
        try {
          return { ...(await this.entry(m)), modified_at: m.modifiedAt.toISOString() };
        } catch {
          return undefined; // a model whose blobs vanished under us is left out, not fatal
        }
      }),
    );
    return out
      .filter((x): x is ListModelResponse => x !== undefined)
      .sort((a, b) => b.modified_at.localeCompare(a.modified_at) || a.name.localeCompare(b.name))
      .map(({ name, model, modified_at, size, digest, details, capabilities }) => ({ name, model, modified_at, size, digest, details, capabilities }));
  }
}
