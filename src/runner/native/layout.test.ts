// Proves the koffi struct layouts against the release's own headers: the C compiler reports sizeof/offsetof
// of every field we declare, and koffi must agree. The headers come from node-llama-cpp's
// `llama/gitRelease.bundle` (the exact source of the prebuilt libraries), cloned once into `.cache/`.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import koffi from "koffi";
import { REPO_ROOT } from "../../testing/fixtures.js";
import { LLAMA_RELEASE, packageRoot } from "./library.js";
import { STRUCTS } from "./structs.js";

function hasCompiler(): boolean {
  try {
    execFileSync("g++", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The release's headers (include/, ggml/include/), checked out from the bundle on first use. */
function releaseSource(): string {
  const dir = join(REPO_ROOT, ".cache", `llama.cpp-${LLAMA_RELEASE}`);
  if (existsSync(join(dir, "include", "llama.h"))) return dir;
  const pkg = packageRoot("node-llama-cpp") ?? join(REPO_ROOT, "node_modules", "node-llama-cpp");
  const bundle = join(pkg, "llama", "gitRelease.bundle");
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  execFileSync("git", ["clone", "--quiet", "--no-checkout", bundle, tmp], { stdio: "ignore" });
  execFileSync("git", ["-C", tmp, "checkout", "--quiet", "HEAD", "--", "include", "ggml/include"], { stdio: "ignore" });
  rmSync(join(tmp, ".git"), { recursive: true, force: true });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another test process got there first
  }
  return dir;
}

describe("native struct layouts", () => {
  it("match the release headers field for field", { skip: !hasCompiler() && "no C++ compiler" }, () => {
    const src = releaseSource();
    const lines: string[] = ['#include "llama.h"', '#include "ggml-cpu.h"', "#include <cstdio>", "#include <cstddef>", "int main() {"];
    for (const [name, type] of Object.entries(STRUCTS)) {
      lines.push(`printf("${name} %zu\\n", sizeof(struct ${name}));`);
      for (const field of Object.keys(type.members!)) lines.push(`printf("${name}.${field} %zu\\n", offsetof(struct ${name}, ${field}));`);
    }
    lines.push("}");
    const work = join(REPO_ROOT, ".cache", `layout-${process.pid}`);
    mkdirSync(work, { recursive: true });
    try {
      writeFileSync(join(work, "layout.cpp"), lines.join("\n"));
      execFileSync("g++", ["-std=c++17", "-I", join(src, "include"), "-I", join(src, "ggml", "include"), "-o", join(work, "layout"), join(work, "layout.cpp")]);
      const actual = new Map(
        execFileSync(join(work, "layout"), { encoding: "utf8" })
          .trim()
          .split("\n")
          .map((l) => l.split(" ") as [string, string]),
      );
      let checked = 0;
      for (const [name, type] of Object.entries(STRUCTS)) {
        assert.equal(koffi.sizeof(type), Number(actual.get(name)), `sizeof(${name})`);
        for (const field of Object.keys(type.members!)) {
          assert.equal(koffi.offsetof(type, field), Number(actual.get(`${name}.${field}`)), `offsetof(${name}, ${field})`);
          checked++;
        }
      }
      assert.ok(checked > 80);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("declares every field of the header's structs (none missing at the end)", { skip: !hasCompiler() && "no C++ compiler" }, () => {
    // sizeof equality above already fails on a missing trailing field unless padding hides it; a field
    // the header has and we lack would fail `offsetof` for the next one. This checks the header's field
    // count for the structs passed by value.
    const src = releaseSource();
    const header = execFileSync("cat", [join(src, "include", "llama.h")], { encoding: "utf8" });
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
