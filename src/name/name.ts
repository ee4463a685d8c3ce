// Ollama's model names (ollama-spec §5.3): [scheme://][host/][namespace/]model[:tag].

import { InvalidModelNameError } from "../util/errors.js";

export const DEFAULT_HOST = "registry.ollama.ai";
export const DEFAULT_NAMESPACE = "library";
export const DEFAULT_TAG = "latest";

export interface ModelName {
  scheme: string;
  host: string;
  namespace: string;
  model: string;
  tag: string;
}

/** Parses a name, filling defaults. Does not validate; see `parseName`. */
export function parseNameLoose(raw: string): ModelName {
  let s = raw;
  let scheme = "https";
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(s);
  if (m) {
    scheme = m[1];
    s = s.slice(m[0].length);
  }
  let tag: string | undefined;
  const colon = s.lastIndexOf(":");
  if (colon >= 0 && colon > s.lastIndexOf("/")) {
    tag = s.slice(colon + 1);
    s = s.slice(0, colon);
  }
  const parts = s.split("/");
  const model = parts.pop() ?? "";
  const namespace = parts.length ? parts.pop()! : DEFAULT_NAMESPACE;
  // Anything left is the host; a "/" in it fails validation, so deeper paths are refused.
  const host = parts.length ? parts.join("/") : DEFAULT_HOST;
  return { scheme, host, namespace, model, tag: tag ?? DEFAULT_TAG };
}

const PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const NAMESPACE = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const HOST = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

export function isValidName(n: ModelName): boolean {
  if (!n.host || n.host.length > 350 || !HOST.test(n.host)) return false;
  if (!n.namespace || n.namespace.length > 80 || !NAMESPACE.test(n.namespace)) return false;
  if (!n.model || n.model.length > 80 || !PART.test(n.model)) return false;
  if (!n.tag || n.tag.length > 80 || !PART.test(n.tag)) return false;
  // The patterns forbid "/" and a leading ".", so no part can be "..": names never escape the store.
  return true;
}

/** Parses and validates; throws `invalid model name` (400). */
export function parseName(raw: string): ModelName {
  if (typeof raw !== "string" || raw.trim() === "") throw new InvalidModelNameError();
  const n = parseNameLoose(raw);
  if (!isValidName(n)) throw new InvalidModelNameError();
  return n;
}

/** `host/namespace/model:tag`, always complete. */
export function displayLong(n: ModelName): string {
  return `${n.host}/${n.namespace}/${n.model}:${n.tag}`;
}

/** Ollama's DisplayShortest: omit default host, and default namespace under the default host. */
export function displayShortest(n: ModelName): string {
  if (n.host.toLowerCase() !== DEFAULT_HOST) return `${n.host}/${n.namespace}/${n.model}:${n.tag}`;
  if (n.namespace.toLowerCase() !== DEFAULT_NAMESPACE) return `${n.namespace}/${n.model}:${n.tag}`;
  return `${n.model}:${n.tag}`;
}

/** Path segments of the manifest under `manifests/`. */
export function manifestPathParts(n: ModelName): string[] {
  return [n.host, n.namespace, n.model, n.tag];
}

export function sameName(a: ModelName, b: ModelName): boolean {
  return displayLong(a).toLowerCase() === displayLong(b).toLowerCase();
}
