// GBNF text building blocks: literals, character classes and bounded repetition, written so that
// llama.cpp's grammar parser (src/llama-grammar.cpp) accepts them. Its parser reads a C string, so
// every control character is written as an escape, never raw.

import { SchemaGrammarError } from "./errors.js";

/**
 * llama.cpp refuses `{m,n}` with m above 2000 and silently turns n above 2000 into "unbounded";
 * repetitions nested in one rule multiply. Bounds stay well under that, each in its own rule.
 */
export const MAX_REPEAT = 1000;

function escapeCodePoint(cp: number, inClass: boolean): string {
  if (cp === 0x22) return '\\"';
  if (cp === 0x5c) return "\\\\";
  if (cp === 0x0a) return "\\n";
  if (cp === 0x0d) return "\\r";
  if (cp === 0x09) return "\\t";
  if (inClass && (cp === 0x5d || cp === 0x2d || cp === 0x5e || cp === 0x5b)) return "\\x" + cp.toString(16).padStart(2, "0");
  if (cp < 0x20 || cp === 0x7f) return "\\x" + cp.toString(16).padStart(2, "0");
  if (cp >= 0xd800 && cp <= 0xdfff) throw new SchemaGrammarError("lone UTF-16 surrogate in schema text");
  return String.fromCodePoint(cp);
}

/** `"text"` as a GBNF literal. */
export function literal(text: string): string {
  let out = '"';
  for (const ch of text) out += escapeCodePoint(ch.codePointAt(0)!, false);
  return out + '"';
}

/** One code point as it may appear inside `[...]`. */
export function classChar(cp: number): string {
  if (cp > 0xffff) return "\\U" + cp.toString(16).padStart(8, "0");
  if (cp >= 0xd800 && cp <= 0xdfff) return "\\u" + cp.toString(16).padStart(4, "0");
  return escapeCodePoint(cp, true);
}

/** `[a-z0-9]` or `[^...]` from inclusive code point ranges. */
export function charClass(ranges: readonly (readonly [number, number])[], negated = false): string {
  let out = negated ? "[^" : "[";
  for (const [a, b] of ranges) out += a === b ? classChar(a) : `${classChar(a)}-${classChar(b)}`;
  return out + "]";
}

/**
 * `item` repeated between min and max times (max undefined: unbounded), items separated by
 * `separator` when given. A max beyond MAX_REPEAT is lowered to it: fewer items or characters
 * still satisfy the schema, more would not be.
 */
export function repeat(item: string, min: number, max: number | undefined, separator?: string): string {
  if (min > MAX_REPEAT) throw new SchemaGrammarError(`a minimum count of ${min} exceeds the grammar limit of ${MAX_REPEAT}`);
  if (max !== undefined && max > MAX_REPEAT) max = MAX_REPEAT;
  if (max !== undefined && max < min) throw new SchemaGrammarError(`a maximum count of ${max} is below the minimum ${min}: no value can match`);
  if (max === 0) return "";
  if (separator === undefined) {
    if (min === 0 && max === 1) return `${item}?`;
    if (max === undefined) return min === 0 ? `${item}*` : min === 1 ? `${item}+` : `${item}{${min},}`;
    return min === max ? (min === 1 ? item : `${item}{${min}}`) : `${item}{${min},${max}}`;
  }
  const tail = repeat(`(${separator} ${item})`, Math.max(0, min - 1), max === undefined ? undefined : max - 1);
  const seq = tail ? `${item} ${tail}` : item;
  return min === 0 ? `(${seq})?` : seq;
}
