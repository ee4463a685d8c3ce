// How JS values stand in for Go values inside the template engine, and how Go's fmt prints them.
//
// Mapping: string/boolean are Go's; a JS number is an int (template literals, indexes, lengths) and a
// GoFloat is a float64 (float literals, and every number decoded from JSON, as Go decodes into `any`);
// null/undefined is nil; arrays are slices;
// plain objects are map[string]any (printed and ranged in sorted key order, as Go does); GoStruct is a
// struct (missing fields are errors, printed `{a b}`); any object may carry a `[GO_STRING]` method to
// act as a fmt.Stringer (Ollama's `.Tools` and tool-call arguments print as JSON that way).

/** Marks an object as a fmt.Stringer: printing it calls this method. */
export const GO_STRING = Symbol("goString");

export interface Stringer {
  [GO_STRING](): string;
}

/** A Go struct: fixed fields in declaration order, an optional JSON form and Stringer. */
export class GoStruct {
  constructor(
    readonly typeName: string,
    readonly fields: Record<string, unknown>,
    /** The value json.Marshal produces for it (keys in field order); defaults to `fields`. */
    readonly jsonForm?: () => unknown,
    /** Set when the struct is held by pointer: fmt prints `&{…}`. */
    readonly pointer = false,
  ) {}

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.fields, name);
  }
}

/** A float64. Go prints 1e6 as `1e+06` and refuses to compare it with an int, so it needs its own type. */
export class GoFloat {
  constructor(readonly value: number) {}
}

/** Wraps JSON-decoded data the way Go's encoding/json fills an `any`: numbers become float64. */
export function fromJson(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "number") return new GoFloat(v);
  if (Array.isArray(v)) return v.map(fromJson);
  if (v !== null && typeof v === "object" && !(v instanceof GoFloat)) {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) out[k] = fromJson(val);
    return out;
  }
  return v;
}

/** A Go func value (from a field or `call`). */
export type GoFunc = (...args: unknown[]) => unknown;

export function isMap(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  if (Array.isArray(v) || v instanceof GoStruct || v instanceof GoFloat) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function hasStringer(v: unknown): v is Stringer {
  return v !== null && typeof v === "object" && typeof (v as Stringer)[GO_STRING] === "function";
}

/** Go's truth rules (text/template `truth`): zero values and empty containers are false. */
export function isTrue(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  switch (typeof v) {
    case "boolean":
      return v;
    case "string":
      return v.length > 0;
    case "number":
      return v !== 0;
    case "bigint":
      return v !== 0n;
    case "function":
      return true;
  }
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoFloat) return v.value !== 0;
  if (v instanceof GoStruct) return true;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

export function sortedKeys(m: Record<string, unknown>): string[] {
  // Go sorts string keys by byte order; for JS strings code-unit order matches it outside astral planes.
  return Object.keys(m).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** strconv.FormatFloat(f, 'g', -1, 64) as fmt's %v uses it for float64. */
export function formatFloatG(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const exp = Math.floor(Math.log10(Math.abs(f)));
  // Shortest 'g' switches to exponent form when exp < -4 || exp >= 6 (strconv's eprec for -1).
  if (exp < -4 || exp >= 6) {
    const [mant, e] = f.toExponential().split("e");
    const n = Number(e);
    const sign = n < 0 ? "-" : "+";
    const digits = String(Math.abs(n)).padStart(2, "0");
    return `${mant}e${sign}${digits}`;
  }
  return String(f);
}

/** Numbers print as Go ints when integral (template literals and counters), else as float64 %v. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  return formatFloatG(n);
}

/** fmt's %v for one operand. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  switch (typeof v) {
    case "string":
      return v;
    case "number":
      return formatNumber(v);
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return v.toString();
    case "function":
      return "0x0";
  }
  if (v instanceof GoFloat) return formatFloatG(v.value);
  if (hasStringer(v)) return v[GO_STRING]();
  if (Array.isArray(v)) return "[" + v.map(formatValue).join(" ") + "]";
  if (v instanceof GoStruct) {
    const body = "{" + Object.values(v.fields).map(formatValue).join(" ") + "}";
    return v.pointer ? "&" + body : body;
  }
  if (isMap(v)) {
    return "map[" + sortedKeys(v).map((k) => `${k}:${formatValue(v[k])}`).join(" ") + "]";
  }
  return String(v);
}

/** Go's type name of a value, for error messages. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return Number.isInteger(v) ? "int" : "float64";
    case "boolean":
      return "bool";
    case "function":
      return "func";
  }
  if (Array.isArray(v)) return "[]interface {}";
  if (v instanceof GoFloat) return "float64";
  if (v instanceof GoStruct) return (v.pointer ? "*" : "") + v.typeName;
  if (isMap(v)) return "map[string]interface {}";
  return "interface {}";
}

/** json.Marshal: maps with sorted keys, structs in field order, `<>&` escaped as Go does. */
export function goJson(v: unknown): string {
  return escapeHtmlInJson(JSON.stringify(toJsonValue(v)) ?? "null");
}

function toJsonValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof GoFloat) return Number.isFinite(v.value) ? v.value : null;
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v instanceof GoStruct) {
    const form = v.jsonForm ? v.jsonForm() : v.fields;
    return toJsonStruct(form);
  }
  if (isMap(v)) {
    const out: Record<string, unknown> = {};
    for (const k of sortedKeys(v)) out[k] = toJsonValue(v[k]);
    return out;
  }
  if (typeof v === "number" && !Number.isFinite(v)) return null;
  return v;
}

/** A struct's JSON form keeps its own key order; nested values still follow Go's rules. */
function toJsonStruct(form: unknown): unknown {
  if (!isMap(form)) return toJsonValue(form);
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(form)) out[k] = toJsonValue(val);
  return out;
}

function escapeHtmlInJson(s: string): string {
  return s.replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}
