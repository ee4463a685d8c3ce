// The fixed rules every schema grammar draws from, with the semantics of llama.cpp's
// json-schema-to-grammar primitives: JSON values without insignificant whitespace except where
// `space` is placed (after `{`, `[`, `,`, `:` and before `}`, `]`), and `space` bounded so that a
// model cannot loop on whitespace (one space, or one or two newlines and up to 20 indent chars).

export interface Primitive {
  body: string;
  deps: string[];
}

export const SPACE_RULE = `| " " | "\\n"{1,2} [ \\t]{0,20}`;

export const PRIMITIVES: Record<string, Primitive> = {
  space: { body: SPACE_RULE, deps: [] },
  boolean: { body: `("true" | "false")`, deps: [] },
  null: { body: `"null"`, deps: [] },
  "integral-part": { body: `[0] | [1-9] [0-9]{0,15}`, deps: [] },
  "decimal-part": { body: `[0-9]{1,16}`, deps: [] },
  integer: { body: `("-"? integral-part)`, deps: ["integral-part"] },
  number: { body: `("-"? integral-part) ("." decimal-part)? ([eE] [-+]? integral-part)?`, deps: ["integral-part", "decimal-part"] },
  char: { body: `[^"\\\\\\x7F\\x00-\\x1F] | [\\\\] (["\\\\/bfnrt] | "u" [0-9a-fA-F]{4})`, deps: [] },
  string: { body: `"\\"" char* "\\""`, deps: ["char"] },
  value: { body: `object | array | string | number | boolean | null`, deps: ["object", "array", "string", "number", "boolean", "null"] },
  object: { body: `"{" space ( string ":" space value ("," space string ":" space value)* )? space "}"`, deps: ["space", "string", "value"] },
  array: { body: `"[" space ( value ("," space value)* )? space "]"`, deps: ["space", "value"] },
  // String formats: the JSON string, quotes included.
  uuid: { body: `"\\"" [0-9a-fA-F]{8} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{12} "\\""`, deps: [] },
  date: { body: `[0-9]{4} "-" ( "0" [1-9] | "1" [0-2] ) "-" ( "0" [1-9] | [1-2] [0-9] | "3" [0-1] )`, deps: [] },
  time: { body: `([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{3} )? ( "Z" | ( "+" | "-" ) ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] )`, deps: [] },
  "date-time": { body: `date "T" time`, deps: ["date", "time"] },
  "date-string": { body: `"\\"" date "\\""`, deps: ["date"] },
  "time-string": { body: `"\\"" time "\\""`, deps: ["time"] },
  "date-time-string": { body: `"\\"" date-time "\\""`, deps: ["date-time"] },
  // A subset of RFC 5321 addresses that every common validator accepts (no quoted local parts).
  "email-string": {
    body: `"\\"" [A-Za-z0-9_+-]{1,64} ( "." [A-Za-z0-9_+-]{1,64} ){0,8} "@" ( [A-Za-z0-9] [A-Za-z0-9-]{0,62} "." ){1,8} [A-Za-z]{2,24} "\\""`,
    deps: [],
  },
  "ipv4-string": { body: `"\\"" ipv4-octet "." ipv4-octet "." ipv4-octet "." ipv4-octet "\\""`, deps: ["ipv4-octet"] },
  "ipv4-octet": { body: `"25" [0-5] | "2" [0-4] [0-9] | "1" [0-9] [0-9] | [1-9] [0-9] | [0-9]`, deps: [] },
  // http(s) URLs with a host: what `new URL()` and the usual URI validators accept.
  "uri-string": { body: `"\\"" "http" "s"? "://" [A-Za-z0-9] [A-Za-z0-9._~:/?#@!$&'()*+,;=%-]{0,200} "\\""`, deps: [] },
};

/** Names the schema's own rules must not take. */
export function isReserved(name: string): boolean {
  return name === "root" || Object.hasOwn(PRIMITIVES, name);
}

/** `format` values with a grammar, to the rule holding the whole JSON string. */
export const STRING_FORMATS: Record<string, string> = {
  date: "date-string",
  time: "time-string",
  "date-time": "date-time-string",
  uuid: "uuid",
  email: "email-string",
  ipv4: "ipv4-string",
  uri: "uri-string",
  url: "uri-string",
};
