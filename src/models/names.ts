// Resolving a request's model name to the stored spelling (ollama-spec §1.0 getExistingName).

import { type ModelName, parseName } from "../name/index.js";
import type { Store } from "../store/index.js";
import { ModelNotFoundError } from "../util/errors.js";

/** Parses (400 `invalid model name`) and finds the stored model (404 `model '<raw>' not found`). */
export async function resolveExisting(store: Store, raw: string): Promise<ModelName> {
  const name = parseName(raw);
  const found = await store.resolve(name);
  if (!found) throw new ModelNotFoundError(raw);
  return found;
}
