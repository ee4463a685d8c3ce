// Low-level scanning helpers shared by the streaming parsers: partial-tag overlap (what must be
// held back at a chunk end) and balanced JSON extent (string and escape aware).

/** Length of the longest proper prefix of `tag` that `s` ends with (0 when none). */
export function suffixOverlap(s: string, tag: string): number {
  const max = Math.min(s.length, tag.length - 1);
  for (let n = max; n > 0; n--) {
    if (s.endsWith(tag.slice(0, n))) return n;
  }
  return 0;
}

/** Largest `suffixOverlap` of `s` with any of `tags`. */
export function suffixOverlapAny(s: string, tags: readonly string[]): number {
  let best = 0;
  for (const t of tags) best = Math.max(best, suffixOverlap(s, t));
  return best;
}

/** Length of the run of whitespace that `s` ends with. */
export function trailingSpaceLength(s: string): number {
  return s.length - s.trimEnd().length;
}

export function isBlank(s: string): boolean {
  return s.trim() === "";
}

/**
 * Finds the end of the JSON value that opens with the `{` or `[` at `start`.
 * Returns the index just past the matching close, or -1 when `s` ends before it closes.
 * Quotes and backslash escapes are honored so braces inside strings do not count.
 */
export function balancedEnd(s: string, start: number): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** JSON.parse that returns undefined instead of throwing. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
