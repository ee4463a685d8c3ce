// `/api/tags` (ollama-spec §1.5): every manifest with details and capabilities, newest first.
// Entries are cached by manifest digest: a listing re-reads only the manifests (cheap), and the
// config blob, template and GGUF header only for models it has not seen.

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

export class ModelLister {
  private entries = new Map<string, Omit<ListModelResponse, "modified_at">>();

  constructor(
    private readonly store: Store,
    private readonly ggufs: GgufCache,
    private readonly preferGo: boolean,
  ) {}

  private async entry(m: StoredManifest): Promise<Omit<ListModelResponse, "modified_at">> {
    const key = `${displayShortest(m.name)}@${m.digest}`;
    const hit = this.entries.get(key);
    if (hit) return hit;
    const model = await readModel(this.store, m.name);
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
    this.entries.set(key, e);
    return e;
  }

  async list(): Promise<ListModelResponse[]> {
    const { models } = await this.store.list();
    // Entries are kept for the manifests that exist now, no more: the cache is as big as the store.
    const present = new Set(models.map((m) => `${displayShortest(m.name)}@${m.digest}`));
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
