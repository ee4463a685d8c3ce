// Proves the koffi struct layouts against the release's own headers: the C compiler reports sizeof/offsetof
// of every field we declare, and koffi must agree. The headers come from node-llama-cpp's
// `llama/gitRelease.bundle` (the exact source of the prebuilt libraries), cloned once into `.cache/`.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import koffi from "koffi";
import { ENUMS, STRUCTS } from "./structs.js";
import { hasCompiler, releaseSource, runProbe } from "./testing.js";

describe("native struct layouts", () => {
  it("match the release headers field for field", { skip: !hasCompiler() && "no C++ compiler or git" }, () => {
    const src = releaseSource();
    const lines: string[] = ['#include "llama.h"', '#include "ggml-cpu.h"', "#include <cstdio>", "#include <cstddef>", "int main() {"];
    for (const [name, type] of Object.entries(STRUCTS)) {
      lines.push(`printf("${name} %zu\\n", sizeof(struct ${name}));`);
      for (const field of Object.keys(type.members!)) lines.push(`printf("${name}.${field} %zu\\n", offsetof(struct ${name}, ${field}));`);
    }
    lines.push("}");
    const actual = runProbe(src, ["include", "ggml/include"], lines.join("\n"));
    let checked = 0;
    for (const [name, type] of Object.entries(STRUCTS)) {
      assert.equal(koffi.sizeof(type), Number(actual.get(name)), `sizeof(${name})`);
      for (const field of Object.keys(type.members!)) {
        assert.equal(koffi.offsetof(type, field), Number(actual.get(`${name}.${field}`)), `offsetof(${name}, ${field})`);
        checked++;
      }
    }
    assert.ok(checked > 80);
  });

  it("names enum values as the headers define them", { skip: !hasCompiler() && "no C++ compiler or git" }, () => {
    const lines = ['#include "llama.h"', '#include "ggml-backend.h"', "#include <cstdio>", "int main() {"];
    for (const name of Object.keys(ENUMS)) lines.push(`printf("${name} %d\\n", (int) ${name});`);
    lines.push("}");
    const actual = runProbe(releaseSource(), ["include", "ggml/include"], lines.join("\n"));
    for (const [name, value] of Object.entries(ENUMS)) assert.equal(value, Number(actual.get(name)), name);
    assert.ok(Object.keys(ENUMS).length >= 20);
  });

  it("declares every field of the header's structs (none missing at the end)", { skip: !hasCompiler() && "no C++ compiler or git" }, () => {
    // sizeof equality above already fails on a missing trailing field unless padding hides it; a field
    // the header has and we lack would fail `offsetof` for the next one. This checks the header's field
    // count for the structs passed by value.
    const src = releaseSource();
    const header = readFileSync(join(src, "include", "llama.h"), "utf8");
    for (const name of ["llama_model_params", "llama_context_params"] as const) {
      const body = header.slice(header.indexOf(`struct ${name} {`), header.indexOf("};", header.indexOf(`struct ${name} {`)));
      const fields = body
        .split("\n")
        .map((l) => l.replace(/\/\/.*$/, "").trim())
        .filter((l) => l.endsWith(";"));
      assert.equal(fields.length, Object.keys(STRUCTS[name].members!).length, name);
    }
  });
});
