// Copy and delete (ollama-spec §1.5): copy writes only a manifest; delete collects unused layers.

import { isValidName, parseNameLoose } from "../name/index.js";
import type { Store } from "../store/index.js";
import { BadRequestError, ModelNotFoundError } from "../util/errors.js";

function named(raw: string, role: string) {
  const n = parseNameLoose(raw ?? "");
  if (!raw || !isValidName(n)) throw new BadRequestError(`${role} "${raw}" is invalid`);
  return n;
}

export async function copyModel(store: Store, source: string, destination: string): Promise<void> {
  const src = named(source, "source");
  const dst = named(destination, "destination");
  await store.lock.run(async () => {
    const found = await store.resolve(src);
    if (!found) throw new ModelNotFoundError(source, `model "${source}" not found`);
    const { raw } = await store.readManifest(found);
    // Byte for byte, so the copy has the same digest (ID) as the source, as in Ollama.
    await store.writeManifest(dst, raw);
  });
}

export async function deleteModel(store: Store, raw: string): Promise<void> {
  const name = named(raw, "name");
  await store.lock.run(async () => {
    const found = await store.resolve(name);
    if (!found) throw new ModelNotFoundError(raw);
    const { manifest } = await store.readManifest(found);
    await store.deleteManifest(found);
    await store.removeUnreferenced([manifest.config.digest, ...manifest.layers.map((l) => l.digest)]);
  });
}
