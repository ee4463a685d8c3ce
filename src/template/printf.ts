// fmt.Sprintf, fmt.Sprint and fmt.Sprintln over the engine's Go-value model (values.ts):
// the verbs templates use (%s %d %v %q %t %f %e %g %x %X %o %b %c %U %%) with flags, width and
// precision, and Go's `%!verb(type=value)` / `%!verb(MISSING)` / `%!(EXTRA …)` diagnostics.

import { formatFloatG, formatValue, GoFloat, GoStruct, hasStringer, GO_STRING, isMap, typeName } from "./values.js";

/** fmt.Sprint: a space between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = "";
  for (let i = 0; i < args.length; i++) {
    if (i > 0 && typeof args[i] !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatValue(args[i]);
  }
  return out;
}

/** fmt.Sprintln: always spaces, then a newline. */
export function sprintln(args: unknown[]): string {
  return args.map(formatValue).join(" ") + "\n";
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

export function sprintf(format: string, args: unknown[]): string {
  let out = "";
  let argi = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== "%") {
      out += c;
      continue;
    }
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };
    i++;
    for (; i < format.length; i++) {
      const f = format[i];
      if (f === "-") spec.minus = true;
      else if (f === "+") spec.plus = true;
      else if (f === "#") spec.sharp = true;
      else if (f === " ") spec.space = true;
      else if (f === "0") spec.zero = true;
      else break;
    }
    const num = (): number | undefined => {
      if (format[i] === "*") {
        i++;
        const a = args[argi++];
        return typeof a === "number" ? Math.trunc(a) : undefined;
      }
      const m = /^\d+/.exec(format.slice(i));
      if (!m) return undefined;
      i += m[0].length;
      return Number(m[0]);
    };
    spec.width = num();
    if (format[i] === ".") {
      i++;
      spec.prec = num() ?? 0;
    }
    const verb = format[i];
    if (verb === undefined) {
      out += "%!(NOVERB)";
      break;
    }
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(verb, args[argi++], spec);
  }
  if (argi < args.length) {
    const extra = args.slice(argi).map((a) => `${typeName(a)}=${formatValue(a)}`);
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}

function pad(s: string, spec: Spec, numeric = false): string {
  const w = spec.width ?? 0;
  if (s.length >= w) return s;
  if (spec.minus) return s + " ".repeat(w - s.length);
  if (spec.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0]! : "";
    return sign + "0".repeat(w - s.length) + s.slice(sign.length);
  }
  return " ".repeat(w - s.length) + s;
}

function bad(verb: string, v: unknown): string {
  return `%!${verb}(${typeName(v)}=${formatValue(v)})`;
}

function signed(s: string, n: number, spec: Spec): string {
  if (n < 0 || Object.is(n, -0)) return s;
  if (spec.plus) return "+" + s;
  if (spec.space) return " " + s;
  return s;
}

function quote(s: string): string {
  // strconv.Quote: JSON escaping is close; Go uses \x/\u forms for control characters and no \/.
  return JSON.stringify(s).replace(/\\u00([0-7][0-9a-f])/g, (_m, h: string) => {
    const code = parseInt(h, 16);
    if (code === 0x07) return "\\a";
    if (code === 0x0b) return "\\v";
    return "\\x" + h;
  }).replace(/\u007f/g, "\\x7f");
}

function formatOne(verb: string, v: unknown, spec: Spec): string {
  if (v instanceof GoFloat) {
    if ("vgGeEfFbxX".includes(verb)) return formatNumberVerb(verb === "v" ? "g" : verb, v.value, spec, true);
    return bad(verb, v);
  }
  // Stringers and errors win for the string-ish verbs, as in fmt's handleMethods.
  if (hasStringer(v) && "vsxXq".includes(verb)) return formatOne(verb, v[GO_STRING](), spec);
  switch (verb) {
    case "v":
      if (spec.sharp && typeof v === "string") return pad(quote(v), spec);
      if (typeof v === "number") return formatNumberVerb(Number.isInteger(v) ? "d" : "g", v, spec);
      return pad(formatValue(v), spec);
    case "s":
      if (typeof v === "string") return pad(spec.prec !== undefined ? [...v].slice(0, spec.prec).join("") : v, spec);
      if (Array.isArray(v) && v.every((x) => typeof x === "string")) return pad("[" + v.join(" ") + "]", spec);
      if (v instanceof GoStruct || isMap(v)) return pad(formatValue(v), spec);
      return bad(verb, v);
    case "q":
      if (typeof v === "string") return pad(spec.sharp && !v.includes("`") ? "`" + v + "`" : quote(v), spec);
      if (typeof v === "number" && Number.isInteger(v)) return pad("'" + String.fromCodePoint(v) + "'", spec);
      if (Array.isArray(v) && v.every((x) => typeof x === "string")) return pad("[" + v.map(quote).join(" ") + "]", spec);
      return bad(verb, v);
    case "t":
      return typeof v === "boolean" ? pad(String(v), spec) : bad(verb, v);
    case "c":
      return typeof v === "number" && Number.isInteger(v) ? pad(String.fromCodePoint(v), spec) : bad(verb, v);
    case "U":
      if (typeof v !== "number" || !Number.isInteger(v)) return bad(verb, v);
      return pad("U+" + v.toString(16).toUpperCase().padStart(4, "0"), spec);
    case "x":
    case "X":
      if (typeof v === "string") {
        const hex = Buffer.from(v, "utf8").toString("hex");
        return pad(verb === "X" ? hex.toUpperCase() : hex, spec);
      }
      return typeof v === "number" ? formatNumberVerb(verb, v, spec) : bad(verb, v);
    case "d":
    case "o":
    case "O":
    case "b":
    case "e":
    case "E":
    case "f":
    case "F":
    case "g":
    case "G":
      if (Array.isArray(v)) return "[" + v.map((x) => formatOne(verb, x, spec)).join(" ") + "]";
      return typeof v === "number" ? formatNumberVerb(verb, v, spec) : bad(verb, v);
  }
  return bad(verb, v);
}

function formatNumberVerb(verb: string, n: number, spec: Spec, float = !Number.isInteger(n)): string {
  const isInt = !float;
  const abs = Math.abs(n);
  let body: string;
  switch (verb) {
    case "d":
      if (!isInt) return bad("d", n);
      body = String(abs);
      break;
    case "o":
    case "O":
      if (!isInt) return bad(verb, n);
      body = (verb === "O" ? "0o" : spec.sharp ? "0" : "") + abs.toString(8);
      break;
    case "b":
      body = isInt ? abs.toString(2) : String(abs);
      break;
    case "x":
    case "X":
      body = isInt ? (spec.sharp ? "0x" : "") + abs.toString(16) : abs.toString(16);
      if (verb === "X") body = body.toUpperCase();
      break;
    case "e":
    case "E":
      body = expForm(abs.toExponential(spec.prec ?? 6));
      if (verb === "E") body = body.toUpperCase();
      break;
    case "f":
    case "F":
      body = abs.toFixed(spec.prec ?? 6);
      break;
    default: {
      // %g / %G: shortest representation unless a precision is given.
      if (spec.prec !== undefined) {
        body = String(Number(abs.toPrecision(Math.max(1, spec.prec))));
        const exp = abs === 0 ? 0 : Math.floor(Math.log10(abs));
        if (exp < -4 || exp >= Math.max(1, spec.prec)) body = expForm(abs.toExponential(Math.max(0, spec.prec - 1)).replace(/\.?0+e/, "e"));
      } else {
        body = formatFloatG(abs);
      }
      if (verb === "G") body = body.toUpperCase();
    }
  }
  return pad(signed(n < 0 ? "-" + body : body, n, spec), spec, true);
}

/** JS writes `1e+5`; Go writes at least two exponent digits: `1e+05`. */
function expForm(s: string): string {
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}
