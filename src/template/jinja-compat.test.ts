// jinja-compat.ts reaches into @huggingface/jinja's unexported classes and private Interpreter
// methods, and recognizes one of its error messages. The version is pinned exactly in package.json;
// these tests fail loudly, naming what moved, when an upgrade breaks any of that.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Environment, Interpreter, Template } from "@huggingface/jinja";
import { REPO_ROOT } from "../testing/fixtures.js";

const PINNED = "0.5.11";

describe("@huggingface/jinja internals jinja-compat.ts depends on", () => {
  it(`is pinned exactly to ${PINNED}, and that is what is installed`, () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    assert.equal(pkg.dependencies["@huggingface/jinja"], PINNED, "package.json must pin @huggingface/jinja exactly");
    // The package's exports hide its package.json: find it beside its resolved entry point.
    const entry = createRequire(join(REPO_ROOT, "package.json")).resolve("@huggingface/jinja");
    const installed = JSON.parse(readFileSync(join(entry.slice(0, entry.lastIndexOf("node_modules/@huggingface/jinja/") + "node_modules/@huggingface/jinja/".length), "package.json"), "utf8")).version;
    assert.equal(installed, PINNED, "re-check jinja-compat.ts against the new version before changing the pin");
  });

  it("keeps the private Interpreter methods the compat layer wraps", () => {
    const proto = Interpreter.prototype as unknown as Record<string, unknown>;
    for (const name of ["evaluate", "applyFilter", "evaluateMemberExpression"]) {
      assert.equal(typeof proto[name], "function", `Interpreter.prototype.${name} is gone`);
    }
  });

  it("keeps the runtime value classes reachable through Environment, with a builtins getter", () => {
    const env = new Environment();
    const classOf = (v: unknown) => Object.getPrototypeOf(env.set(`_probe${String(Math.random())}`, v)).constructor;
    for (const [value, type] of [[[], "ArrayValue"], ["", "StringValue"], [{}, "ObjectValue"], [null, "NullValue"], [1, "IntegerValue"], [undefined, "UndefinedValue"]] as const) {
      const cls = classOf(value);
      assert.equal(new cls(value).type, type, `Environment.set(${JSON.stringify(value)}) no longer makes a ${type}`);
    }
    for (const v of [[], ""]) {
      const desc = Object.getOwnPropertyDescriptor(classOf(v).prototype, "builtins");
      assert.equal(typeof desc?.get, "function", "runtime values no longer expose builtins through a getter");
    }
    const variables = (env as unknown as { variables?: Map<string, unknown> }).variables;
    assert.ok(variables instanceof Map && variables.has("namespace"), "Environment.variables no longer holds the namespace function");
  });

  it("still throws the error the compat layer recognizes for an integer key", async () => {
    // Before the compat layer is installed (jinja.js installs it on import): the compat layer matches
    // /non-string: got (Integer|Float)Value/ to serve integer dict keys.
    const render = () => new Template("{{ d[512] }}").render({ d: { a: 1 } });
    assert.throws(render, /non-string: got IntegerValue/, "the library's message for an integer key changed");
    // And with the compat layer, integer keys work.
    const { renderJinja } = await import("./jinja.js");
    assert.equal(renderJinja("{% set d = {512: 'b'} %}{{ d[512] }}", { messages: [] }), "b");
  });
});
