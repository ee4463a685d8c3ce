// Proves the koffi layouts of mtmd's structs against the release's own mtmd.h / mtmd-helper.h: the C
// compiler reports sizeof/offsetof of every declared field, and koffi must agree. The headers come from
// node-llama-cpp's release bundle, checked out once into `.cache/`.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import koffi from "koffi";
import { MTMD_STRUCTS } from "./mtmd.js";
import { hasCompiler, releaseSource, runProbe } from "./testing.js";

describe("mtmd struct layouts", () => {
  it("match mtmd.h and mtmd-helper.h field for field", { skip: !hasCompiler() && "no C++ compiler or git" }, () => {
    const src = releaseSource(["tools/mtmd/mtmd.h", "tools/mtmd/mtmd-helper.h"], "mtmd");
    const lines = ['#include "mtmd.h"', '#include "mtmd-helper.h"', "#include <cstdio>", "#include <cstddef>", "int main() {"];
    for (const [name, type] of Object.entries(MTMD_STRUCTS)) {
      lines.push(`printf("${name} %zu\\n", sizeof(struct ${name}));`);
      for (const field of Object.keys(type.members!)) lines.push(`printf("${name}.${field} %zu\\n", offsetof(struct ${name}, ${field}));`);
    }
    lines.push("}");
    const actual = runProbe(src, ["include", "ggml/include", "tools/mtmd"], lines.join("\n"));
    for (const [name, type] of Object.entries(MTMD_STRUCTS)) {
      assert.equal(koffi.sizeof(type), Number(actual.get(name)), `sizeof(${name})`);
      for (const field of Object.keys(type.members!)) assert.equal(koffi.offsetof(type, field), Number(actual.get(`${name}.${field}`)), `offsetof(${name}, ${field})`);
    }
  });
});
