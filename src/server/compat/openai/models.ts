// OpenAI `/v1/models` views of the native model list (ollama-spec §2.4).

import type { ListResponse } from "../../../api/types.js";
import { unixSeconds } from "../ids.js";

export interface OpenAIModel {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

/** The namespace of a model name (`library` for bare names), which Ollama reports as `owned_by`. */
export function ownerOf(name: string): string {
  const slash = name.lastIndexOf("/");
  const path = name.slice(0, slash >= 0 ? slash : 0);
  if (path === "") return "library";
  const parts = path.split("/");
  return parts[parts.length - 1];
}

export function toModel(id: string, modifiedAt: string): OpenAIModel {
  return { id, object: "model", created: unixSeconds(modifiedAt), owned_by: ownerOf(id) };
}

/** `data` is null when there are no models, as in Ollama. */
export function toModelList(list: ListResponse): { object: "list"; data: OpenAIModel[] | null } {
  const data = list.models.map((m) => toModel(m.name, m.modified_at));
  return { object: "list", data: data.length > 0 ? data : null };
}
