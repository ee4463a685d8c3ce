// The grammar text itself: what llama.cpp's parser reads.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { charClass, literal, repeat } from "./gbnf.js";
import { formatToGbnf } from "./index.js";
import { SPACE_RULE } from "./primitives.js";

describe("GBNF text", () => {
  it("escapes literals and classes so no control character reaches the C parser raw", () => {
    assert.equal(literal('a"b\\c\nd\u0001é'), '"a\\"b\\\\c\\nd\\x01é"');
    assert.equal(charClass([[0x2d, 0x2d], [0x5d, 0x5d], [0x61, 0x7a], [0x1f600, 0x1f600]]), "[\\x2d\\x5da-z\\U0001f600]");
    assert.equal(charClass([[0x22, 0x22]], true), '[^\\"]');
  });

  it("repeats with llama.cpp's operators, separators and a bounded maximum", () => {
    assert.equal(repeat("x", 0, 1), "x?");
    assert.equal(repeat("x", 0, undefined), "x*");
    assert.equal(repeat("x", 1, undefined), "x+");
    assert.equal(repeat("x", 2, 5), "x{2,5}");
    assert.equal(repeat("x", 3, 3), "x{3}");
    assert.equal(repeat("x", 0, 3, `","`), `(x ("," x){0,2})?`);
    assert.equal(repeat("x", 2, undefined, `","`), `x ("," x)+`);
    assert.equal(repeat("x", 0, 5000), "x{0,1000}");
    assert.throws(() => repeat("x", 5000, undefined), /exceeds the grammar limit/);
  });

  it("integer 2..9 is one digit range", () => {
    assert.equal(formatToGbnf({ type: "integer", minimum: 2, maximum: 9 }), "root ::= [2-9]\n");
    assert.equal(formatToGbnf({ type: "integer", minimum: 0, maximum: 120 }), 'root ::= ([0-9] | [1-9] [0-9] | "1" ([0-1] [0-9] | "2" "0"))\n');
  });

  it("objects: required properties first, optional ones after in order, bounded whitespace", () => {
    const g = formatToGbnf({ type: "object", properties: { a: { type: "boolean" }, b: { type: "null" } }, required: ["b"], additionalProperties: false });
    assert.match(g, /^root ::= "\{" space b-kv \("," space a-kv\)\? space "\}"$/m);
    assert.match(g, /^a-kv ::= "\\"a\\"" space ":" space a$/m);
    assert.ok(g.includes(`space ::= ${SPACE_RULE}\n`));
    assert.equal(SPACE_RULE, '| " " | "\\n"{1,2} [ \\t]{0,20}');
  });

  it('"json" is any object, as Ollama\'s grammar', () => {
    assert.match(formatToGbnf("json"), /^root ::= object\n/);
  });
});
