// A file that claims an architecture the translator knows but lacks what its translation needs.

import { ModelLoadError } from "../util/errors.js";

/**
 * 500 at load, with the wording Ollama uses for published files its engine cannot load
 * (ollama-spec §7 "incompatible old GGUFs"); the name of the model is not known at this layer.
 */
export class IncompatibleModelError extends ModelLoadError {
  override name = "IncompatibleModelError";
  constructor(
    readonly arch: string,
    readonly missingKeys: string[],
    readonly missingTensors: string[],
  ) {
    const parts: string[] = [];
    if (missingKeys.length) parts.push(`key${missingKeys.length > 1 ? "s" : ""} ${missingKeys.map((k) => `"${k}"`).join(", ")}`);
    if (missingTensors.length) {
      parts.push(`tensor${missingTensors.length > 1 ? "s" : ""} ${missingTensors.map((k) => `"${k}"`).join(", ")}`);
    }
    super(
      `${arch} model is missing ${parts.join(" and ")}: this model may be incompatible with your version of Ollama. ` +
        `If you previously pulled this model, try updating it by pulling it again`,
    );
  }
}
