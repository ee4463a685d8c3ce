// Ollama's source suffixes on a model reference (internal/modelref, ollama-spec §5.3): "x:local" and
// "x:tag:local" ask for the local model, "x:cloud" and "x:tag-cloud" for ollama.com's; both at once is a 400.
// herd runs local models only: a cloud reference is refused the way Ollama refuses one with its cloud
// disabled (403), instead of a pull of a stub it cannot run or a "model not found".

import { BadRequestError, CloudUnavailableError } from "../util/errors.js";

export type ModelSource = "unspecified" | "local" | "cloud";

function sourceSuffix(raw: string): { base: string; source: ModelSource } {
  const colon = raw.lastIndexOf(":");
  if (colon >= 0) {
    const suffixRaw = raw.slice(colon + 1).trim();
    const suffix = suffixRaw.toLowerCase();
    if (suffix === "cloud") return { base: raw.slice(0, colon), source: "cloud" };
    if (suffix === "local") return { base: raw.slice(0, colon), source: "local" };
    if (!suffixRaw.includes("/") && suffix.endsWith("-cloud")) {
      return { base: raw.slice(0, colon + 1) + suffixRaw.slice(0, -"-cloud".length), source: "cloud" };
    }
  }
  return { base: raw, source: "unspecified" };
}

/** The reference without its source suffix, and the source it names. */
export function parseRef(raw: string): { base: string; source: ModelSource } {
  const trimmed = raw.trim();
  const ref = sourceSuffix(trimmed);
  if (ref.source !== "unspecified" && sourceSuffix(ref.base).source !== "unspecified") {
    throw new BadRequestError(`use either :local or :cloud, not both: ${JSON.stringify(trimmed)}`);
  }
  return ref;
}

/** The local model a reference names; a cloud reference fails with Ollama's "ollama cloud is disabled: <what>". */
export function localRef(raw: string, what: string): string {
  const ref = parseRef(raw);
  if (ref.source === "cloud") throw new CloudUnavailableError(what);
  return ref.base;
}
