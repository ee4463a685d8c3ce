// Test helpers for the binding's checks against the release's own headers: a checkout of the headers from
// node-llama-cpp's `llama/gitRelease.bundle` (the exact source of the prebuilt libraries, once into
// `.cache/`), and a C++ probe compiled against them whose output the tests compare with koffi's view.

import { execFileSync } from "node:child_process";
import { constants, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "../../testing/fixtures.js";
import { LLAMA_RELEASE, packageRoot } from "./library.js";

/** g++ and git are on PATH (the header checks are skipped without them). */
export function hasCompiler(): boolean {
  try {
    execFileSync("g++", ["--version"], { stdio: "ignore" });
    execFileSync("git", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * A checkout of `paths` (plus include/ and ggml/include/) of the release source, shared by test processes:
 * `.cache/llama.cpp-<name>-<release>` (or `.cache/llama.cpp-<release>` without a name).
 */
export function releaseSource(paths: string[] = [], name = ""): string {
  const dir = join(REPO_ROOT, ".cache", `llama.cpp-${name ? `${name}-` : ""}${LLAMA_RELEASE}`);
  const want = ["include", "ggml/include", ...paths];
  if (want.every((p) => existsSync(join(dir, p)))) return dir;
  const bundle = join(packageRoot("node-llama-cpp") ?? join(REPO_ROOT, "node_modules", "node-llama-cpp"), "llama", "gitRelease.bundle");
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  execFileSync("git", ["clone", "--quiet", "--no-checkout", bundle, tmp], { stdio: "ignore" });
  execFileSync("git", ["-C", tmp, "checkout", "--quiet", "HEAD", "--", ...want], { stdio: "ignore" });
  rmSync(join(tmp, ".git"), { recursive: true, force: true });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another test process got there first
  }
  return dir;
}

/** Compiles `source` (C++17) with `includes` (folders of `src`), runs it and returns its output lines as "key value" pairs. */
export function runProbe(src: string, includes: string[], source: string): Map<string, string> {
  const work = join(REPO_ROOT, ".cache", `probe-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(work, { recursive: true });
  try {
    writeFileSync(join(work, "probe.cpp"), source);
    const inc = includes.flatMap((d) => ["-I", join(src, d)]);
    execFileSync("g++", ["-std=c++17", ...inc, "-o", join(work, "probe"), join(work, "probe.cpp")]);
    const out = execFileSync(join(work, "probe"), { encoding: "utf8" }).trim().split("\n");
    return new Map(out.map((l) => [l.slice(0, l.indexOf(" ")), l.slice(l.indexOf(" ") + 1)]));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A named pipe in `dir`, both ends open: reads never block (O_NONBLOCK), writes land at once. POSIX only. */
export function openFifo(dir: string): { read: number; write: number } {
  const path = join(dir, "fifo");
  execFileSync("mkfifo", [path]);
  const read = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  return { read, write: openSync(path, constants.O_WRONLY) };
}
