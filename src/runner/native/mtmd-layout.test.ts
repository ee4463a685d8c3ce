// Proves the koffi layouts of mtmd's structs against the release's own mtmd.h / mtmd-helper.h: the C
// compiler reports sizeof/offsetof of every declared field, and koffi must agree. The headers come from
// node-llama-cpp's release bundle, checked out once into `.cache/`.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import koffi from "koffi";
import { REPO_ROOT } from "../../testing/fixtures.js";
import { LLAMA_RELEASE, packageRoot } from "./library.js";
import { MTMD_STRUCTS } from "./mtmd.js";

function hasCompiler(): boolean {
  try {
    execFileSync("g++", ["--version"], { stdio: "ignore" });
    execFileSync("git", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function mtmdSource(): string {
  const dir = join(REPO_ROOT, ".cache", `llama.cpp-mtmd-${LLAMA_RELEASE}`);
  if (existsSync(join(dir, "tools", "mtmd", "mtmd.h"))) return dir;
  const bundle = join(packageRoot("node-llama-cpp") ?? join(REPO_ROOT, "node_modules", "node-llama-cpp"), "llama", "gitRelease.bundle");
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  execFileSync("git", ["clone", "--quiet", "--no-checkout", bundle, tmp], { stdio: "ignore" });
  execFileSync("git", ["-C", tmp, "checkout", "--quiet", "HEAD", "--", "include", "ggml/include", "tools/mtmd/mtmd.h", "tools/mtmd/mtmd-helper.h"], { stdio: "ignore" });
  rmSync(join(tmp, ".git"), { recursive: true, force: true });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

describe("mtmd struct layouts", () => {
  it("match mtmd.h and mtmd-helper.h field for field", { skip: !hasCompiler() && "no C++ compiler or git" }, () => {
    const src = mtmdSource();
    const lines = ['#include "mtmd.h"', '#include "mtmd-helper.h"', "#include <cstdio>", "#include <cstddef>", "int main() {"];
    for (const [name, type] of Object.entries(MTMD_STRUCTS)) {
      lines.push(`printf("${name} %zu\\n", sizeof(struct ${name}));`);
      for (const field of Object.keys(type.members!)) lines.push(`printf("${name}.${field} %zu\\n", offsetof(struct ${name}, ${field}));`);
    }
    lines.push("}");
    const work = join(REPO_ROOT, ".cache", `mtmd-layout-${process.pid}`);
    mkdirSync(work, { recursive: true });
    try {
      writeFileSync(join(work, "layout.cpp"), lines.join("\n"));
      const inc = ["include", "ggml/include", "tools/mtmd"].flatMap((d) => ["-I", join(src, d)]);
      execFileSync("g++", ["-std=c++17", ...inc, "-o", join(work, "layout"), join(work, "layout.cpp")]);
      const actual = new Map(execFileSync(join(work, "layout"), { encoding: "utf8" }).trim().split("\n").map((l) => l.split(" ") as [string, string]));
      for (const [name, type] of Object.entries(MTMD_STRUCTS)) {
        assert.equal(koffi.sizeof(type), Number(actual.get(name)), `sizeof(${name})`);
        for (const field of Object.keys(type.members!)) assert.equal(koffi.offsetof(type, field), Number(actual.get(`${name}.${field}`)), `offsetof(${name}, ${field})`);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
