// Limits Go's encoding/json enforces while it decodes, checked on the raw body text before JSON.parse:
// nesting deeper than 10,000 and number literals a float64 cannot hold are 400s in Ollama before any
// handler runs. The scan is one loop with an explicit stack, so no body can exhaust the call stack.

/** Go's `maxNestingDepth` (encoding/json scanner): the 10,001st open bracket is an error. */
export const MAX_JSON_DEPTH = 10_000;

export interface ScanProblem {
  kind: "depth" | "number";
  /** Depth: the bracket that went too deep. Number: the literal as written. */
  text: string;
  /** Object keys from the root to the number (array positions left out, as Go's error context does). */
  keys: string[];
}

/**
 * The first limit the body breaks, or undefined. Syntax errors are left to JSON.parse; a malformed
 * body may therefore scan clean here and still be refused.
 */
export function scanJsonLimits(text: string): ScanProblem | undefined {
  // One entry per open container: "{" or "[", and the current key of each object level.
  const containers: string[] = [];
  const keys: (string | undefined)[] = [];
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) return undefined; // unterminated: JSON.parse reports it
        let slashes = 0;
        for (let k = q - 1; k > i && text.charCodeAt(k) === 0x5c; k--) slashes++;
        j = q + 1;
        if (slashes % 2 === 0) break;
      }
      if (expectKey) {
        keys[keys.length - 1] = text.slice(i + 1, j - 1);
        expectKey = false;
      }
      i = j - 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (containers.length >= MAX_JSON_DEPTH) {
        return { kind: "depth", text: String.fromCharCode(c), keys: [] };
      }
      containers.push(c === 0x7b ? "{" : "[");
      keys.push(undefined);
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      containers.pop();
      keys.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = containers[containers.length - 1] === "{";
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      let exponent = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x65 || d === 0x45) exponent = true;
        else if (!((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x2b || d === 0x2d)) break;
        j++;
      }
      // Only an exponent or a literal past 308 digits can overflow a double.
      if (exponent || j - i > 308) {
        const literal = text.slice(i, j);
        if (!Number.isFinite(Number(literal))) {
          return { kind: "number", text: literal, keys: keys.filter((k): k is string => k !== undefined) };
        }
      }
      i = j - 1;
    }
  }
  return undefined;
}

/** Go's SyntaxError text for a body nested too deep. */
export function depthMessage(bracket: string): string {
  return `invalid character '${bracket}' exceeded max depth`;
}
