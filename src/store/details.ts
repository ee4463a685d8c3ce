// A stored model's `details` (ollama-spec §1.5) for /api/tags, /api/show and /api/ps: what its config
// blob recorded at create or pull, and for a config that lacks a field (written by an older tool),
// what the weights' header says.

import type { ModelDetails } from "../api/types.js";
import type { GgufModelDetails } from "../gguf/index.js";
import type { Model } from "./model.js";

export type WeightsDetails = Pick<GgufModelDetails, "family" | "parameter_size" | "quantization_level">;

export function modelDetails(model: Model, weights?: WeightsDetails): ModelDetails {
  const c = model.config;
  const family = c.model_family || weights?.family || "";
  return {
    parent_model: model.parentModel,
    format: c.model_format || "gguf",
    family,
    families: c.model_families ?? (family ? [family] : null),
    parameter_size: c.model_type || weights?.parameter_size || "",
    quantization_level: c.file_type || weights?.quantization_level || "",
  };
}
