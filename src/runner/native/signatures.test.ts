// Proves the koffi function declarations of api.ts and quantize.ts against the release's own headers: for every declared
// function the C++ compiler reports the kind and size of its return type and of each parameter (pointer,
// integer or enum, float, struct by value), and the declaration must say the same. A parameter added,
// dropped or widened in the release fails here instead of corrupting the call.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import koffi from "koffi";
import { REPO_ROOT } from "../../testing/fixtures.js";
import { STRUCTS } from "./structs.js";
import { hasCompiler, releaseSource, runProbe } from "./testing.js";

const SCALARS: Record<string, string> = {
  void: "v",
  bool: "i1",
  char: "i1",
  int8_t: "i1",
  uint8_t: "i1",
  int16_t: "i2",
  uint16_t: "i2",
  int: "i4",
  int32_t: "i4",
  uint32_t: "i4",
  int64_t: "i8",
  uint64_t: "i8",
  size_t: "i8",
  float: "f4",
  double: "f8",
};

/** One type as the probe prints it: "p", "i4", "f4", "s<size>", "v". */
function kindOf(decl: string): string {
  const t = decl.replace(/\b(_Out_|_In_|_Inout_|const|struct)\b/g, "").trim();
  if (t.includes("*")) return "p";
  const base = t.split(/\s+/)[0];
  if (SCALARS[base]) return SCALARS[base];
  const struct = STRUCTS[base as keyof typeof STRUCTS];
  if (struct) return `s${koffi.sizeof(struct)}`;
  throw new Error(`unknown type in declaration: ${decl}`);
}

/** Exported by each loadable backend library, declared only in ggml's private ggml-backend-impl.h. */
const PRIVATE = new Set(["ggml_backend_score"]);

/** Every function api.ts and quantize.ts bind (mtmd.ts has its own headers): name → "ret(arg,arg,)". */
function declarations(): Map<string, string> {
  const src = ["api.ts", "quantize.ts"].map((f) => readFileSync(join(REPO_ROOT, "src", "runner", "native", f), "utf8")).join("\n");
  const out = new Map<string, string>();
  for (const m of src.matchAll(/\.func\("([^"(]+?)\s*\b(\w+)\(([^)]*)\)"\)/g)) {
    const [, ret, name, args] = m;
    if (PRIVATE.has(name)) continue;
    // A parameter's name never matters: a `*` makes it a pointer, else its first type word decides.
    const params = args.trim() === "void" || !args.trim() ? [] : args.split(",");
    out.set(name, `${kindOf(ret)}(${params.map((p) => `${kindOf(p)},`).join("")})`);
  }
  for (const m of src.matchAll(/\.func\("(\w+)", S\.(\w+), \[([^\]]*)\]\)/g)) {
    const [, name, ret, args] = m;
    const params = args.split(",").map((a) => a.trim().replace(/^"|"$/g, "")).filter(Boolean);
    out.set(name, `${kindOf(ret)}(${params.map((p) => `${kindOf(p)},`).join("")})`);
  }
  return out;
}

const PROBE = `
#include "llama.h"
#include "ggml.h"
#include "ggml-backend.h"
#include "ggml-cpu.h"
#include <cstdio>
#include <string>
#include <type_traits>
template <typename T> std::string kind() {
  if constexpr (std::is_void_v<T>) return "v";
  else if constexpr (std::is_pointer_v<T>) return "p";
  else if constexpr (std::is_floating_point_v<T>) return "f" + std::to_string(sizeof(T));
  else if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) return "i" + std::to_string(sizeof(T));
  else return "s" + std::to_string(sizeof(T));
}
template <typename F> struct sig;
template <typename R, typename... A> struct sig<R (*)(A...)> {
  static std::string text() { std::string s = kind<R>() + "("; ((s += kind<A>() + ","), ...); return s + ")"; }
};
#define CHECK(f) printf("%s %s\\n", #f, sig<decltype(&f)>::text().c_str());
int main() {
`;

describe("native function declarations", () => {
  it("match the release headers parameter for parameter", { skip: !hasCompiler() && "no C++ compiler or git" }, () => {
    const declared = declarations();
    assert.ok(declared.size > 90, `found ${declared.size} declarations`);
    for (const name of ["llama_model_quantize", "ggml_backend_dev_count", "ggml_backend_dev_get", "ggml_backend_dev_type", "ggml_backend_dev_memory", "ggml_backend_dev_name"])
      assert.ok(declared.has(name), name);
    const src = releaseSource();
    const actual = runProbe(src, ["include", "ggml/include"], `${PROBE}${[...declared.keys()].map((n) => `CHECK(${n})`).join("\n")}\n}\n`);
    for (const [name, sig] of declared) assert.equal(sig, actual.get(name), name);
  });
});
