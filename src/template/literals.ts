// Go literal syntax inside actions: quoted, raw and character strings (strconv.Unquote) and
// number constants (decimal, 0x/0o/0b, legacy octal, hex floats, `_` separators).

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
};

/** strconv.Unquote for "…", `…` and '…' literals; returns undefined on a bad escape. */
export function unquote(lit: string): string | undefined {
  if (lit.startsWith("`")) return lit.slice(1, -1).replace(/\r/g, "");
  const body = lit.slice(1, -1);
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return undefined;
    if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
    } else if (e === "x" || e === "u" || e === "U") {
      const n = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) return undefined;
      const code = parseInt(hex, 16);
      // \x is a byte; treat bytes < 0x80 as characters (higher bytes form UTF-8 sequences in Go).
      out += e === "x" && code >= 0x80 ? String.fromCharCode(code) : String.fromCodePoint(code);
      i += n;
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else {
      return undefined;
    }
  }
  return out;
}

/** A Go number constant's value, or undefined when the text is not one. */
export function parseNumber(literal: string): number | undefined {
  let text = literal.replace(/_/g, "");
  let sign = 1;
  if (text[0] === "+" || text[0] === "-") {
    if (text[0] === "-") sign = -1;
    text = text.slice(1);
  }
  if (text === "") return undefined;
  let n: number;
  if (/^0[0-7]+$/.test(text)) n = parseInt(text, 8);
  else if (/^0[xX][0-9a-fA-F]*\.|^0[xX].*[pP]/.test(text)) n = parseHexFloat(text);
  else n = Number(text);
  return Number.isNaN(n) ? undefined : sign * n;
}

function parseHexFloat(text: string): number {
  const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/.exec(text);
  if (!m) return NaN;
  const int = m[1] ? parseInt(m[1], 16) : 0;
  const frac = m[2] ? parseInt(m[2], 16) / 16 ** m[2].length : 0;
  return (int + frac) * 2 ** Number(m[3] ?? 0);
}
