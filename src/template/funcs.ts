// Go text/template builtins (except the short-circuiting `and`/`or`, which exec.ts evaluates lazily)
// and Ollama's template functions (`json`, `currentDate`, `yesterdayDate`, `toTypeScriptType`).

import { sprint, sprintf, sprintln } from "./printf.js";
import { formatValue, GoFloat, GoStruct, goJson, isMap, isTrue, typeName } from "./values.js";

/** An error a function reports; exec.ts prefixes `error calling <name>: `. */
export class FuncError extends Error {}

export interface FuncDef {
  fn: (...args: unknown[]) => unknown;
  minArgs: number;
  /** Undefined for variadic functions. */
  maxArgs?: number;
}

function def(fn: (...args: unknown[]) => unknown, minArgs: number, maxArgs?: number): FuncDef {
  return { fn, minArgs, maxArgs };
}

type Kind = "bool" | "int" | "float" | "string" | "nil" | "other";

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (v instanceof GoFloat) return "float";
  if (typeof v === "string") return "string";
  return "other";
}

/** The comparable JS value of a basic Go value. */
function basic(v: unknown): unknown {
  return v instanceof GoFloat ? v.value : v;
}

function eq(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new FuncError("missing argument for comparison");
  const ka = kindOf(a);
  for (const b of rest) {
    const kb = kindOf(b);
    if (ka !== kb) {
      if (ka !== "nil" && kb !== "nil") throw new FuncError("incompatible types for comparison");
      continue;
    }
    if (ka === "other") throw new FuncError(`non-comparable type ${formatValue(a)}: ${typeName(a)}`);
    if (basic(a) === basic(b) || (ka === "nil" && kb === "nil")) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === "nil" || ka === "other" || kb === "nil" || kb === "other") {
    throw new FuncError("invalid type for comparison");
  }
  if (ka !== kb) throw new FuncError("incompatible types for comparison");
  if (ka === "bool") throw new FuncError("invalid type for comparison");
  return (basic(a) as number | string) < (basic(b) as number | string);
}

function indexArg(i: unknown, cap: number): number {
  if (i === null || i === undefined) throw new FuncError("cannot index slice/array with nil");
  if (typeof i !== "number" || !Number.isInteger(i)) {
    throw new FuncError(`cannot index slice/array with type ${typeName(i)}`);
  }
  if (i < 0 || i > cap) throw new FuncError(`index out of range: ${i}`);
  return i;
}

function index(item: unknown, ...keys: unknown[]): unknown {
  if (item === undefined || item === null) throw new FuncError("index of untyped nil");
  let cur: unknown = item;
  for (const k of keys) {
    if (cur === null || cur === undefined) throw new FuncError("index of nil pointer");
    if (typeof cur === "string" || Array.isArray(cur)) {
      const bytes = typeof cur === "string" ? Buffer.from(cur, "utf8") : undefined;
      const len = bytes ? bytes.length : (cur as unknown[]).length;
      const i = indexArg(k, len);
      if (i >= len) throw new FuncError(`index out of range: ${i}`);
      cur = bytes ? bytes[i] : (cur as unknown[])[i];
    } else if (isMap(cur)) {
      if (typeof k !== "string") throw new FuncError(`value has type ${typeName(k)}; should be string`);
      cur = Object.prototype.hasOwnProperty.call(cur, k) ? cur[k] : null;
    } else {
      throw new FuncError(`can't index item of type ${typeName(cur)}`);
    }
  }
  return cur;
}

function slice(item: unknown, ...idx: unknown[]): unknown {
  if (item === undefined || item === null) throw new FuncError("slice of untyped nil");
  if (idx.length > 3) throw new FuncError(`too many slice indexes: ${idx.length}`);
  let len: number;
  if (typeof item === "string") {
    if (idx.length === 3) throw new FuncError("cannot 3-index slice a string");
    len = Buffer.byteLength(item, "utf8");
  } else if (Array.isArray(item)) {
    len = item.length;
  } else {
    throw new FuncError(`can't slice item of type ${typeName(item)}`);
  }
  const bounds = [0, len, len];
  idx.forEach((x, i) => (bounds[i] = indexArg(x, len)));
  if (bounds[0]! > bounds[1]!) throw new FuncError(`invalid slice index: ${bounds[0]} > ${bounds[1]}`);
  if (idx.length === 3 && bounds[1]! > bounds[2]!) {
    throw new FuncError(`invalid slice index: ${bounds[1]} > ${bounds[2]}`);
  }
  if (typeof item === "string") return Buffer.from(item, "utf8").subarray(bounds[0], bounds[1]).toString("utf8");
  return item.slice(bounds[0], bounds[1]);
}

function length(v: unknown): number {
  if (v === null || v === undefined) throw new FuncError("len of nil pointer");
  if (typeof v === "string") return Buffer.byteLength(v, "utf8");
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  throw new FuncError(`len of type ${typeName(v)}`);
}

/** text/template evalArgs: a lone string is used as is, anything else goes through fmt.Sprint. */
function argString(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args);
}

export function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => HTML[c]!);
}
const HTML: Record<string, string> = {
  "\0": "\uFFFD",
  '"': "&#34;",
  "'": "&#39;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
};

export function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case "\\":
        out += "\\\\";
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case "<":
        out += "\\u003C";
        continue;
      case ">":
        out += "\\u003E";
        continue;
      case "&":
        out += "\\u0026";
        continue;
      case "=":
        out += "\\u003D";
        continue;
    }
    if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0x2028 || c === 0x2029) {
      out += "\\u" + c.toString(16).toUpperCase().padStart(4, "0");
    } else {
      out += ch;
    }
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function call(fn: unknown, ...args: unknown[]): unknown {
  if (fn === null || fn === undefined) throw new FuncError("call of nil");
  if (typeof fn !== "function") throw new FuncError(`non-function ${formatValue(fn)} of type ${typeName(fn)}`);
  return (fn as (...a: unknown[]) => unknown)(...args);
}

function localDate(daysAgo: number): string {
  const d = new Date();
  d.setDate(d.getDate() - daysAgo);
  const mm = String(d.getMonth() + 1).padStart(2, "0");
  const dd = String(d.getDate()).padStart(2, "0");
  return `${d.getFullYear()}-${mm}-${dd}`;
}

function dateArgs(args: unknown[]): void {
  for (const a of args) if (typeof a !== "string") throw new FuncError(`wrong type for value; expected string; got ${typeName(a)}`);
}

const TS_TYPES: Record<string, string> = {
  string: "string",
  number: "number",
  integer: "number",
  boolean: "boolean",
  array: "any[]",
  object: "Record<string, any>",
  null: "null",
};

/** api.ToolProperty.ToTypeScriptType; anything that is not a tool property is `any`. */
export function toTypeScriptType(v: unknown): string {
  if (!(v instanceof GoStruct) || v.typeName !== "api.ToolProperty") return "any";
  const anyOf = v.fields.AnyOf;
  if (Array.isArray(anyOf) && anyOf.length > 0) return anyOf.map(toTypeScriptType).join(" | ");
  const types = v.fields.Type;
  const list: string[] = Array.isArray(types) ? (types as string[]) : typeof types === "string" ? [types] : [];
  if (list.length === 0) return "any";
  return list.map((t) => TS_TYPES[t] ?? "any").join(" | ");
}

export const BUILTINS: Record<string, FuncDef> = {
  not: def((a) => !isTrue(a), 1, 1),
  len: def((a) => length(a), 1, 1),
  index: def((item, ...keys) => index(item, ...keys), 1),
  slice: def((item, ...idx) => slice(item, ...idx), 1),
  eq: def((a, ...rest) => eq(a, ...rest), 1),
  ne: def((a, b) => !eq(a, b), 2, 2),
  lt: def((a, b) => lt(a, b), 2, 2),
  le: def((a, b) => lt(a, b) || eq(a, b), 2, 2),
  gt: def((a, b) => !lt(a, b) && !eq(a, b), 2, 2),
  ge: def((a, b) => !lt(a, b), 2, 2),
  print: def((...a) => sprint(a), 0),
  println: def((...a) => sprintln(a), 0),
  printf: def((f, ...a) => {
    if (typeof f !== "string") throw new FuncError(`wrong type for value; expected string; got ${typeName(f)}`);
    return sprintf(f, a);
  }, 1),
  html: def((...a) => htmlEscape(argString(a)), 0),
  js: def((...a) => jsEscape(argString(a)), 0),
  urlquery: def((...a) => queryEscape(argString(a)), 0),
  call: def((fn, ...a) => call(fn, ...a), 1),
  json: def((v) => goJson(v), 1, 1),
  currentDate: def((...a) => (dateArgs(a), localDate(0)), 0),
  yesterdayDate: def((...a) => (dateArgs(a), localDate(1)), 0),
  toTypeScriptType: def((v) => toTypeScriptType(v), 1, 1),
};

/** Names the parser accepts as functions. */
export const FUNC_NAMES: ReadonlySet<string> = new Set([...Object.keys(BUILTINS), "and", "or"]);
