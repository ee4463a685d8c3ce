// Named templates: loading from the package's templates/ folder and Jinja fingerprint detection.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FIXTURES } from "../testing/fixtures.js";
import { parseTemplate, renderTemplate } from "./go-template.js";
import { boundedLevenshtein, detectNamedTemplate, loadNamedTemplate, TEMPLATES_DIR } from "./named.js";

const DIR = join(FIXTURES, "ollama-templates");

describe("named templates", () => {
  it("ships every fixture template, parameter file and the index", () => {
    const shipped = new Set(readdirSync(TEMPLATES_DIR));
    for (const f of readdirSync(DIR).filter((f) => f.endsWith(".gotmpl") || f.endsWith(".json"))) {
      assert.ok(shipped.has(f), `templates/${f} missing`);
      assert.equal(readFileSync(join(TEMPLATES_DIR, f), "utf8"), readFileSync(join(DIR, f), "utf8"), f);
    }
  });

  it("loads a template with its parameters", () => {
    const t = loadNamedTemplate("llama3-instruct");
    assert.ok(t);
    assert.deepEqual(t.parameters, { stop: ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"] });
    const out = renderTemplate(parseTemplate(t.template), { messages: [{ role: "user", content: "hi" }] });
    assert.equal(out, "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
    assert.ok(loadNamedTemplate("vicuna"), "unindexed templates load by name too");
    assert.equal(loadNamedTemplate("no-such-template"), undefined);
    assert.equal(loadNamedTemplate("../package"), undefined);
  });

  const lines = readFileSync(join(DIR, "testdata", "templates.jsonl"), "utf8").split("\n").filter(Boolean);
  lines.forEach((line, i) => {
    for (const [want, jinja] of Object.entries(JSON.parse(line) as Record<string, string>)) {
      it(`detects ${want} (#${i + 1})`, () => {
        const got = detectNamedTemplate(jinja);
        assert.equal(got?.name, want);
        assert.ok(parseTemplate(got!.template).root.nodes.length > 0);
      });
    }
  });

  it("finds nothing for an unrelated template", () => {
    const qwen3 = readFileSync(join(FIXTURES, "jinja-templates", "Qwen-Qwen3-0.6B.jinja"), "utf8");
    assert.equal(detectNamedTemplate(qwen3), undefined);
    assert.equal(detectNamedTemplate(""), undefined);
  });

  it("bounded Levenshtein matches the plain distance under the bound", () => {
    const cp = (s: string) => Array.from(s, (c) => c.codePointAt(0)!);
    assert.equal(boundedLevenshtein(cp("kitten"), cp("sitting"), 10), 3);
    assert.equal(boundedLevenshtein(cp("kitten"), cp("sitting"), 2), 3);
    assert.equal(boundedLevenshtein(cp(""), cp("abc"), 5), 3);
    assert.equal(boundedLevenshtein(cp("héllo"), cp("hello"), 5), 1);
  });
});
