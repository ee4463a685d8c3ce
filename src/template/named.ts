// Ollama's named templates (`templates/` at the package root) and auto-detection: a GGUF Jinja
// `tokenizer.chat_template` gets the named template whose fingerprint in index.json is closest by
// Levenshtein distance, when that distance is under 100 (template.Named).

import { packageRoot } from "../config/paths.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface NamedTemplate {
  name: string;
  /** The Go template text. */
  template: string;
  /** Default parameters from `<name>.json` (e.g. `{ stop: [...] }`), `{}` when it has none. */
  parameters: Record<string, unknown>;
}

interface Fingerprint {
  name: string;
  template: string;
}

const MAX_DISTANCE = 100;

/** The folder holding the named templates; works from `src/` under tsx and from `dist/src/`. */
export const TEMPLATES_DIR = join(packageRoot(), "templates");

let index: Fingerprint[] | undefined;
const cache = new Map<string, NamedTemplate | undefined>();

function fingerprints(): Fingerprint[] {
  index ??= JSON.parse(readFileSync(join(TEMPLATES_DIR, "index.json"), "utf8")) as Fingerprint[];
  return index;
}

/** A named template by name (`llama3-instruct`, `vicuna`, …), or undefined when there is none. */
export function loadNamedTemplate(name: string): NamedTemplate | undefined {
  if (cache.has(name)) return cache.get(name);
  let found: NamedTemplate | undefined;
  if (/^[\w.-]+$/.test(name)) {
    const file = join(TEMPLATES_DIR, `${name}.gotmpl`);
    if (existsSync(file)) {
      const template = readFileSync(file, "utf8").replace(/\r\n/g, "\n");
      const paramsFile = join(TEMPLATES_DIR, `${name}.json`);
      const parameters = existsSync(paramsFile)
        ? (JSON.parse(readFileSync(paramsFile, "utf8")) as Record<string, unknown>)
        : {};
      found = { name, template, parameters };
    }
  }
  cache.set(name, found);
  return found;
}

/** The named template matching a Jinja chat template, or undefined (Ollama: "no matching template found"). */
export function detectNamedTemplate(jinja: string): NamedTemplate | undefined {
  const a = Array.from(jinja, (c) => c.codePointAt(0)!);
  let best: string | undefined;
  let score = MAX_DISTANCE;
  for (const fp of fingerprints()) {
    const b = Array.from(fp.template, (c) => c.codePointAt(0)!);
    // Only distances under the current best matter; the first strictly smaller one wins, as in Go.
    const d = boundedLevenshtein(a, b, score - 1);
    if (d < score) {
      score = d;
      best = fp.name;
    }
  }
  return best === undefined ? undefined : loadNamedTemplate(best);
}

/** Levenshtein distance over code points if it is at most `max`, else `max + 1` (banded DP). */
export function boundedLevenshtein(a: number[], b: number[], max: number): number {
  if (max < 0) return max + 1;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = a.length;
  const m = b.length;
  const INF = max + 1;
  let prev = new Array<number>(m + 1);
  let cur = new Array<number>(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j <= max ? j : INF;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(m, i + max);
    cur.fill(INF);
    cur[0] = i <= max ? i : INF;
    let rowMin = cur[0]!;
    const ai = a[i - 1];
    for (let j = lo; j <= hi; j++) {
      const cost = ai === b[j - 1] ? 0 : 1;
      const v = Math.min(prev[j - 1]! + cost, prev[j]! + 1, cur[j - 1]! + 1);
      cur[j] = v > INF ? INF : v;
      if (cur[j]! < rowMin) rowMin = cur[j]!;
    }
    if (rowMin > max) return INF;
    [prev, cur] = [cur, prev];
  }
  return Math.min(prev[m]!, INF);
}
