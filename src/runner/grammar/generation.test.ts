// What a model generates under the grammar parses as JSON and satisfies the schema: stories260K
// sampled at a high temperature over several seeds (a tiny story model, so every constraint comes
// from the grammar), for hand-written schemas, zod's JSON Schema output and the OpenAI SDK's strict
// response formats, each checked by the SDK's own validator where there is one.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";
import { formatToGbnf } from "./index.js";
import { openGrammarLab, schemaErrors, type GrammarLab } from "./testing.js";

let lab: GrammarLab;
before(async () => {
  lab = await openGrammarLab();
});
after(async () => {
  await lab.dispose();
});

const SEEDS = 6;

/** Generated values under the schema's grammar; fails if none finished or any is invalid. */
async function samples(schema: "json" | Record<string, unknown>, check: (value: unknown) => string[]): Promise<unknown[]> {
  const g = formatToGbnf(schema);
  const values: unknown[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const { text, finished } = await lab.generate(g, seed);
    if (!finished) continue; // ran past the token budget (a long free-text string)
    let value: unknown;
    assert.doesNotThrow(() => (value = JSON.parse(text)), `seed ${seed} produced unparseable ${JSON.stringify(text)}`);
    assert.deepEqual(check(value), [], `seed ${seed}: ${text}`);
    values.push(value);
  }
  assert.ok(values.length >= SEEDS / 2, `only ${values.length} of ${SEEDS} generations finished`);
  return values;
}

const bySchema = (schema: Record<string, unknown>) => (v: unknown) => schemaErrors(v, schema);
const byZod = (type: z.ZodType) => (v: unknown) => {
  const r = type.safeParse(v);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("generation under the grammar", () => {
  it('"json" yields a JSON object', async () => {
    await samples("json", (v) => (v !== null && typeof v === "object" && !Array.isArray(v) ? [] : ["not an object"]));
  });

  it("integer 2..9 never yields -30", async () => {
    const schema = { type: "object", properties: { age: { type: "integer", minimum: 2, maximum: 9 } }, required: ["age"], additionalProperties: false };
    const values = await samples(schema, bySchema(schema));
    for (const v of values) assert.ok((v as { age: number }).age >= 2 && (v as { age: number }).age <= 9);
  });

  it("enums, patterns, formats, minItems and nested objects", async () => {
    const schema = {
      type: "object",
      properties: {
        color: { enum: ["red", "green", "blue"] },
        code: { type: "string", pattern: "^[A-Z]{3}-\\d{2}$" },
        day: { type: "string", format: "date" },
        id: { type: "string", format: "uuid" },
        scores: { type: "array", items: { type: "number", minimum: 0, exclusiveMaximum: 1 }, minItems: 2, maxItems: 4 },
        owner: { type: "object", properties: { name: { type: "string", maxLength: 8 }, admin: { type: "boolean" } }, required: ["name", "admin"] },
        note: { type: ["string", "null"], maxLength: 5 },
      },
      required: ["color", "code", "day", "id", "scores", "owner", "note"],
    };
    await samples(schema, bySchema(schema));
  });

  it("recursive $ref and anyOf", async () => {
    const schema = {
      $defs: { item: { anyOf: [{ type: "integer", minimum: -3, maximum: 3 }, { type: "array", items: { $ref: "#/$defs/item" }, maxItems: 2 }] } },
      type: "object",
      properties: { tree: { $ref: "#/$defs/item" } },
      required: ["tree"],
    };
    await samples(schema, bySchema(schema));
  });

  it("zod's JSON Schema: nested objects, arrays, enums, optional fields, ranges and string formats", async () => {
    const Person = z.object({
      name: z.string().min(1).max(12),
      age: z.number().int().min(2).max(9),
      id: z.uuid(),
      joined: z.iso.datetime(),
      birthday: z.iso.date(),
      role: z.enum(["admin", "user", "guest"]),
      tags: z.array(z.string().max(6)).min(1).max(3),
      score: z.number().gt(0).lte(1),
      nickname: z.string().max(6).optional(),
      address: z.object({ city: z.string().max(10), zip: z.string().regex(/^\d{5}$/) }),
      manager: z.number().int().nullable(),
    });
    const schema = z.toJSONSchema(Person) as Record<string, unknown>;
    await samples(schema, byZod(Person));
  });

  it("zod: unions, literals, records, tuples", async () => {
    const Shape = z.object({
      kind: z.union([z.object({ type: z.literal("circle"), r: z.number().min(0).max(10) }), z.object({ type: z.literal("square"), side: z.int().min(1).max(5) })]),
      counts: z.record(z.string().max(4), z.int().min(0).max(99)),
      point: z.tuple([z.number().min(-1).max(1), z.number().min(-1).max(1)]),
    });
    await samples(z.toJSONSchema(Shape) as Record<string, unknown>, byZod(Shape));
  });

  it("zod's email pattern: the addresses zod accepts and no others", async () => {
    const Email = z.email();
    const g = formatToGbnf(z.toJSONSchema(Email) as Record<string, unknown>);
    for (const text of ["a@b.co", "first.last+tag@sub.example.org", "x_y-z@a-b.io", "no-at.example.com", "a@b", ".a@b.com", "a..b@c.com", "a b@c.com"]) {
      assert.equal(await lab.accepts(g, JSON.stringify(text)), Email.safeParse(text).success, text);
    }
  });

  it("the OpenAI SDK's strict response format (additionalProperties: false, all required)", async () => {
    const Event = z.object({
      title: z.string().max(12),
      attendees: z.array(z.object({ name: z.string().max(8), rsvp: z.enum(["yes", "no", "maybe"]) })).max(3),
      priority: z.number().int().min(1).max(5),
      location: z.string().max(10).nullable(),
      when: z.iso.datetime().nullable(),
    });
    const format = zodResponseFormat(Event, "event");
    const schema = format.json_schema.schema as Record<string, unknown>;
    assert.equal(schema.additionalProperties, false);
    await samples(schema, byZod(Event));
  });
});
