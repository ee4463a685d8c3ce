// Each feature: the grammar, run by llama.cpp's grammar engine, accepts valid instances and rejects
// invalid ones; and what the converter cannot express is a SchemaGrammarError naming it.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { formatToGbnf, SchemaGrammarError } from "./index.js";
import { openGrammarLab, type GrammarLab } from "./testing.js";

let lab: GrammarLab;
before(async () => {
  lab = await openGrammarLab();
});
after(async () => {
  await lab.dispose();
});

/** Texts the grammar wrongly accepts or rejects. */
async function judge(format: "json" | Record<string, unknown>, valid: string[], invalid: string[]): Promise<string[]> {
  const g = formatToGbnf(format);
  const wrong: string[] = [];
  for (const v of valid) if (!(await lab.accepts(g, v))) wrong.push(`rejected ${v}`);
  for (const v of invalid) if (await lab.accepts(g, v)) wrong.push(`accepted ${v}`);
  return wrong;
}

function refuses(schema: unknown, message: RegExp): void {
  assert.throws(
    () => formatToGbnf(schema as Record<string, unknown>),
    (e: unknown) => e instanceof SchemaGrammarError && message.test(e.message),
    String(message),
  );
}

describe("format: json", () => {
  it("is any JSON object, as Ollama's built-in grammar (root ::= object)", async () => {
    assert.deepEqual(
      await judge("json", ['{}', '{"a":[1,"x",null,true,{"b":-2.5e3}]}', '{\n  "a": 1\n}', '{ "k": "v" }'], ['[1]', '"x"', "1", "null", '{"a":1,}', '{a:1}', '{"a":01}']),
      [],
    );
  });

  it("bounds whitespace, so a model cannot loop on spaces", async () => {
    assert.deepEqual(await judge("json", ['{"a": 1}', '{\n\n\t"a": 1}'], [`{${" ".repeat(2)}"a": 1}`, `{\n${" ".repeat(21)}"a": 1}`, '{\n\n\n"a": 1}', '{"a": 1} ']), []);
  });
});

describe("numbers", () => {
  it("integer minimum/maximum: 2..9 never yields -30", async () => {
    assert.deepEqual(await judge({ type: "integer", minimum: 2, maximum: 9 }, ["2", "5", "9"], ["-30", "1", "10", "0", "5.0", "05"]), []);
  });

  it("exclusive bounds, fractional bounds on integers and the draft 4 boolean form", async () => {
    assert.deepEqual(await judge({ type: "integer", exclusiveMinimum: 0, exclusiveMaximum: 10 }, ["1", "9"], ["0", "10", "-1"]), []);
    assert.deepEqual(await judge({ type: "integer", minimum: 1.5, maximum: 3.5 }, ["2", "3"], ["1", "4"]), []);
    assert.deepEqual(await judge({ type: "integer", minimum: 0, exclusiveMinimum: true, maximum: 3, exclusiveMaximum: true }, ["1", "2"], ["0", "3"]), []);
    assert.deepEqual(await judge({ type: "integer", minimum: -5 }, ["-5", "0", "123456"], ["-6", "-10"]), []);
  });

  it("number ranges", async () => {
    assert.deepEqual(await judge({ type: "number", exclusiveMinimum: 0, maximum: 1 }, ["0.5", "1", "0.001", "1.0"], ["0", "0.0", "1.5", "-0.5", "2"]), []);
    assert.deepEqual(await judge({ type: "number", minimum: -1.5, maximum: 2.25 }, ["-1.5", "0", "2.25", "-1", "2.2"], ["-1.6", "2.26", "3"]), []);
    assert.deepEqual(await judge({ type: "number" }, ["1", "-2.5e10", "0.25"], ["01", ".5", "1."]), []);
  });

  it("tighter of minimum and exclusiveMinimum wins", async () => {
    assert.deepEqual(await judge({ type: "integer", minimum: 3, exclusiveMinimum: 5 }, ["6"], ["5", "4"]), []);
  });
});

describe("strings", () => {
  it("minLength/maxLength count characters, escapes included as one", async () => {
    assert.deepEqual(await judge({ type: "string", minLength: 2, maxLength: 3 }, ['"ab"', '"abc"', '"a\\nb"', '"é!"'], ['"a"', '"abcd"', '""']), []);
  });

  it("formats: date, time, date-time, uuid, email, ipv4, uri", async () => {
    assert.deepEqual(await judge({ type: "string", format: "date" }, ['"2024-02-29"'], ['"2024-13-01"', '"24-01-01"', '"2024-01-01T00:00:00Z"']), []);
    assert.deepEqual(await judge({ type: "string", format: "time" }, ['"23:59:59Z"', '"01:02:03.123+02:00"'], ['"24:00:00Z"', '"12:00"']), []);
    assert.deepEqual(await judge({ type: "string", format: "date-time" }, ['"2024-02-29T12:30:00Z"'], ['"2024-02-29 12:30:00Z"', '"2024-02-29"']), []);
    assert.deepEqual(
      await judge({ type: "string", format: "uuid" }, ['"123e4567-e89b-12d3-a456-426614174000"'], ['"123e4567e89b12d3a456426614174000"', '"xyz"']),
      [],
    );
    assert.deepEqual(await judge({ type: "string", format: "email" }, ['"a.b@example.com"', '"x+y@sub.example.org"'], ['"a@b"', '"@b.com"', '"a b@c.com"']), []);
    assert.deepEqual(await judge({ type: "string", format: "ipv4" }, ['"192.168.0.1"'], ['"256.0.0.1"', '"1.2.3"']), []);
    assert.deepEqual(await judge({ type: "string", format: "uri" }, ['"https://example.com/a?b=c"'], ['"example.com"', '"https://"']), []);
  });

  it("pattern", async () => {
    assert.deepEqual(await judge({ type: "string", pattern: "^[A-Z]{2}-\\d{3}$" }, ['"AB-123"'], ['"ab-123"', '"AB-12"']), []);
  });
});

describe("enum, const, unions", () => {
  it("enum of mixed values, const", async () => {
    assert.deepEqual(await judge({ enum: ["red", 1, null, { x: [1] }] }, ['"red"', "1", "null", '{"x":[1]}'], ['"blue"', "2", '{"x":[2]}']), []);
    assert.deepEqual(await judge({ const: "fixed" }, ['"fixed"'], ['"other"']), []);
    assert.deepEqual(await judge({ type: "string", enum: ["a", 1] }, ['"a"'], ["1"]), []);
  });

  it("anyOf, oneOf and nullable types", async () => {
    assert.deepEqual(await judge({ anyOf: [{ type: "integer", minimum: 0, maximum: 5 }, { type: "boolean" }] }, ["3", "true"], ["6", '"x"']), []);
    assert.deepEqual(await judge({ oneOf: [{ type: "string", maxLength: 1 }, { type: "null" }] }, ['"a"', "null"], ['"ab"', "0"]), []);
    assert.deepEqual(await judge({ type: ["string", "null"], maxLength: 2 }, ['"ab"', "null"], ['"abc"', "1"]), []);
    assert.deepEqual(await judge({ type: ["integer", "null"], minimum: 1 }, ["1", "null"], ["0"]), []);
  });

  it("siblings of anyOf apply to every alternative", async () => {
    const schema = { type: "object", properties: { kind: { type: "string" } }, required: ["kind"], anyOf: [{ properties: { n: { type: "integer" } } }, { properties: { s: { type: "string" } } }] };
    assert.deepEqual(await judge(schema, ['{"kind":"x"}', '{"kind":"x","n":1}', '{"kind":"x","s":"y"}'], ['{"n":1}', '{"kind":"x","n":"1"}']), []);
  });

  it("allOf merges its members, additionalProperties: false included", async () => {
    const schema = {
      allOf: [
        { type: "object", properties: { a: { type: "integer", minimum: 0 } }, required: ["a"] },
        { properties: { a: { maximum: 3 }, b: { type: "string" } } },
      ],
    };
    assert.deepEqual(await judge(schema, ['{"a":0}', '{"a":3,"b":"x"}'], ['{"a":4}', '{"b":"x"}', '{"a":-1}']), []);
    const closed = { allOf: [{ properties: { a: { type: "integer" } }, additionalProperties: false }, { properties: { b: { type: "string" } } }] };
    assert.deepEqual(await judge(closed, ['{"a":1}', "{}"], ['{"a":1,"b":"x"}']), []);
    refuses({ allOf: [{ type: "string" }, { type: "integer" }] }, /no type in common/);
    refuses({ allOf: [{ type: "string", pattern: "^a" }, { pattern: "^b" }] }, /different "pattern"/);
  });
});

describe("$ref", () => {
  it("$defs, definitions, JSON pointers and recursion through containers", async () => {
    const schema = {
      $defs: { node: { type: "object", properties: { v: { type: "integer" }, kids: { type: "array", items: { $ref: "#/$defs/node" } } }, required: ["v"] } },
      definitions: { tag: { enum: ["x", "y"] } },
      type: "object",
      properties: { root: { $ref: "#/$defs/node" }, tag: { $ref: "#/definitions/tag" }, same: { $ref: "#/properties/tag" } },
      required: ["root"],
    };
    assert.deepEqual(
      await judge(schema, ['{"root":{"v":1}}', '{"root":{"v":1,"kids":[{"v":2,"kids":[{"v":3}]}]},"tag":"x","same":"y"}'], ['{"root":{"v":1,"kids":[{"v":"2"}]}}', '{"root":{"v":1},"tag":"z"}']),
      [],
    );
  });

  it("a $ref with sibling keywords is their intersection", async () => {
    const schema = { $defs: { n: { type: "integer", minimum: 0 } }, $ref: "#/$defs/n", maximum: 2 };
    assert.deepEqual(await judge(schema, ["0", "2"], ["3", "-1"]), []);
  });

  it("remote, missing and circular references are clear errors", () => {
    refuses({ $ref: "https://example.com/schema.json" }, /remote \$ref/);
    refuses({ $ref: "#/$defs/missing" }, /does not resolve/);
    refuses({ $defs: { a: { $ref: "#/$defs/b" }, b: { $ref: "#/$defs/a" } }, $ref: "#/$defs/a" }, /circular \$ref/);
    refuses({ $defs: { a: { anyOf: [{ $ref: "#/$defs/a" }, { type: "string" }] } }, $ref: "#/$defs/a" }, /circular \$ref/);
  });
});

describe("arrays", () => {
  it("items with minItems/maxItems", async () => {
    assert.deepEqual(await judge({ type: "array", items: { type: "integer" }, minItems: 1, maxItems: 3 }, ["[1]", "[1, 2, 3]", "[\n  1,\n  2\n]"], ["[]", "[1,2,3,4]", '["a"]']), []);
    assert.deepEqual(await judge({ type: "array", items: { type: "boolean" }, minItems: 2 }, ["[true,false]", "[true,true,true]"], ["[true]"]), []);
  });

  it("prefixItems tuples, closed with items: false, and the draft 7 array form", async () => {
    const tuple = { type: "array", prefixItems: [{ type: "string" }, { type: "integer" }], items: false, minItems: 2, maxItems: 2 };
    assert.deepEqual(await judge(tuple, ['["a",1]'], ['["a"]', '["a",1,2]', '[1,"a"]']), []);
    const open = { type: "array", prefixItems: [{ type: "string" }], items: { type: "integer" }, minItems: 1 };
    assert.deepEqual(await judge(open, ['["a"]', '["a",1,2]'], ["[]", '["a","b"]']), []);
    assert.deepEqual(await judge({ type: "array", items: [{ type: "integer" }, { type: "null" }] }, ["[1,null]", "[1]", "[]"], ["[1,2]"]), []);
  });
});

describe("objects", () => {
  it("required first, then optional in declaration order, any subset", async () => {
    const schema = { type: "object", properties: { a: { type: "integer" }, b: { type: "integer" }, c: { type: "integer" } }, required: ["b"] };
    assert.deepEqual(await judge(schema, ['{"b":1}', '{"b":1,"a":2}', '{"b":1,"c":3}', '{"b":1,"a":2,"c":3}'], ['{"a":2}', '{"a":2,"b":1}', '{"b":1,"d":4}', "{}"]), []);
  });

  it("all optional: the empty object and any ordered subset", async () => {
    const schema = { type: "object", properties: { a: { type: "integer" }, b: { type: "integer" } } };
    assert.deepEqual(await judge(schema, ["{}", '{"a":1}', '{"b":2}', '{"a":1,"b":2}'], ['{"b":2,"a":1}', '{"c":1}']), []);
  });

  it("additionalProperties: a schema for extra keys, never a declared key twice", async () => {
    const schema = { type: "object", properties: { a: { type: "string" } }, additionalProperties: { type: "integer" } };
    assert.deepEqual(await judge(schema, ['{"a":"x","n":1}', '{"m":1,"n":2}', '{"ab":3}', "{}"], ['{"n":"x"}', '{"a":"x","a":1}', '{"a":1}']), []);
    assert.deepEqual(await judge({ type: "object", additionalProperties: { type: "boolean" } }, ['{"x":true}', "{}"], ['{"x":1}']), []);
    assert.deepEqual(await judge({ type: "object", additionalProperties: false }, ["{}"], ['{"x":1}']), []);
  });

  it("a required name outside properties takes the additionalProperties schema", async () => {
    assert.deepEqual(await judge({ type: "object", required: ["id"], additionalProperties: { type: "integer" } }, ['{"id":1}', '{"id":1,"x":2}'], ["{}", '{"id":"a"}']), []);
    refuses({ type: "object", required: ["id"], additionalProperties: false }, /required property "id"/);
  });

  it("property names that need escaping", async () => {
    const schema = { type: "object", properties: { 'say "hi"': { type: "integer" }, "a\\b": { type: "integer" }, "é-ü": { type: "integer" } }, required: ['say "hi"', "a\\b", "é-ü"] };
    assert.deepEqual(await judge(schema, ['{"say \\"hi\\"":1,"a\\\\b":2,"é-ü":3}'], ['{"say "hi"":1,"a\\\\b":2,"é-ü":3}']), []);
  });
});

describe("schemas it cannot enforce are a 400 naming the feature", () => {
  it("unsupported keywords", () => {
    for (const k of ["not", "if", "patternProperties", "dependentRequired", "contains", "unevaluatedProperties"]) refuses({ type: "object", [k]: {} }, new RegExp(`"${k}"`));
    refuses({ type: "array", items: { type: "integer" }, uniqueItems: true }, /"uniqueItems"/);
    refuses({ type: "number", multipleOf: 0.5 }, /"multipleOf"/);
    refuses({ type: "object", minProperties: 2 }, /"minProperties"/);
    refuses({ type: "object", propertyNames: { pattern: "^a" } }, /"propertyNames"/);
    refuses({ type: "string", format: "hostname-idn" }, /format "hostname-idn"/);
    refuses({ type: "string", pattern: "^a+$", maxLength: 3 }, /"pattern" together with/);
    refuses({ type: "string", enum: ["a"], maxLength: 3 }, /"maxLength" beside "enum"/);
  });

  it("schemas no value matches", () => {
    refuses({ type: "object", properties: { a: false }, required: ["a"] }, /no value can match/);
    refuses({ type: "integer", minimum: 5, maximum: 4 }, /no integer/);
    refuses({ type: "integer", minimum: 1.2, maximum: 1.8 }, /no integer/);
    refuses({ type: "array", minItems: 3, maxItems: 2 }, /below "minItems"/);
    refuses({ type: "string", enum: [1, 2] }, /no value of "enum"/);
    refuses({ type: "strin" }, /unknown type/);
  });

  it("annotations and unknown keywords are no constraint and pass", async () => {
    const schema = { title: "T", description: "d", $schema: "https://json-schema.org/draft/2020-12/schema", examples: [1], "x-vendor": true, type: "integer", minimum: 0, maximum: 1 };
    assert.deepEqual(await judge(schema, ["0", "1"], ["2"]), []);
  });

  it("10,000-deep schemas are a clear error, not a stack overflow", () => {
    let props: Record<string, unknown> = { type: "integer" };
    let items: Record<string, unknown> = { type: "integer" };
    let anyOf: Record<string, unknown> = { type: "integer" };
    let allOf: Record<string, unknown> = { type: "integer" };
    for (let i = 0; i < 10_000; i++) {
      props = { type: "object", properties: { a: props } };
      items = { type: "array", items };
      anyOf = { anyOf: [anyOf] };
      allOf = { allOf: [allOf] };
    }
    for (const deep of [props, items, anyOf]) refuses(deep, /nested deeper than/);
    // Nested allOf flattens iteratively into the one schema it means.
    assert.match(formatToGbnf(allOf), /^root ::= integer\n/);
    const defs: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) defs[`d${i}`] = { type: "array", items: { $ref: `#/$defs/d${i + 1}` } };
    defs["d10000"] = { type: "integer" };
    refuses({ $defs: defs, $ref: "#/$defs/d0" }, /nested deeper than/);
  });
});
