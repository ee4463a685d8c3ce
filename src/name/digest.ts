// Blob digests: "sha256:<64 hex>" on the wire, "sha256-<64 hex>" as file names (ollama-spec §5.1, §1.5).

import { BadRequestError } from "../util/errors.js";

const DIGEST = /^sha256[:-]([0-9a-fA-F]{64})$/;

export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

/** Normalizes "sha256-abc…" or "sha256:ABC…" to "sha256:abc…"; throws `invalid digest format`. */
export function parseDigest(s: string): string {
  const m = DIGEST.exec(s);
  if (!m) throw new BadRequestError("invalid digest format");
  return `sha256:${m[1].toLowerCase()}`;
}

export function digestFileName(digest: string): string {
  return parseDigest(digest).replace(":", "-");
}

/** The 12-hex short form used by `herd list` and progress lines. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256[:-]/, "").slice(0, 12);
}
