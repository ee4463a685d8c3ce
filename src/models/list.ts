// `/api/tags` (ollama-spec §1.5): every manifest with details and capabilities, newest first.
// Entries are cached by manifest digest: a listing re-reads only the manifests (cheap), and the
// config blob, template and GGUF header only for models it has not seen, once however many listings
// ask at the same time. System prompts, licenses and other large layers are never read here.

import type { ListModelResponse } from "../api/types.js";
import { displayShortest } from "../name/index.js";
import { describeGguf, type GgufCache } from "../gguf/index.js";
import { manifestSize, type Model, modelCapabilities, modelDetails, readModel, type Store, type StoredManifest } from "../store/index.js";
import { TemplateError } from "../template/errors.js";

/** A model whose template no longer parses is still listed, with no capabilities (show names the error). */
function listedCapabilities(model: Model, weights: Parameters<typeof modelCapabilities>[1], preferGo: boolean): string[] {
  try {
    return modelCapabilities(model, weights, { preferGo });
  } catch (err) {
    if (err instanceof TemplateError) return [];
    throw err;
  }
}

type Entry = Omit<ListModelResponse, "modified_at">;

export class ModelLister {
  /** By name and manifest digest; a promise, so concurrent listings share one read. */
  private entries = new Map<string, Promise<Entry>>();

  constructor(
    private readonly store: Store,
    private readonly ggufs: GgufCache,
    private readonly preferGo: boolean,
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
    const weights = gguf && describeGguf(gguf);
    const name = displayShortest(m.name);
    const e = {
      name,
      model: name,
      size: manifestSize(m.manifest),
      digest: m.digest,
      details: modelDetails(model, weights),
      capabilities: listedCapabilities(model, weights, this.preferGo),
    };
    return e;
  }

  async list(): Promise<ListModelResponse[]> {
    const { models } = await this.store.list();
    // Entries are kept for the manifests that exist now, no more: the cache is as big as the store.
    const present = new Set(models.map((m) => this.keyOf(m)));
    for (const key of this.entries.keys()) if (!present.has(key)) this.entries.delete(key);
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
