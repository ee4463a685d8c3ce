import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../../testing/fixtures.js";
import { ModelLoadError } from "../../util/errors.js";
import { checkRelease, loadLlama } from "./api.js";
import { LLAMA_VERSION, openLibrary } from "./library.js";

/** Builds stand-in libggml-base/libggml/libllama in `dir`; libllama gets `body` as its only code. */
function fakeLibraries(dir: string, body: string): void {
  for (const [name, code] of [
    ["libggml-base.so", "void ggml_fake_base(void) {}"],
    ["libggml.so", "void ggml_fake(void) {}"],
    ["libllama.so", body],
  ]) {
    const src = join(dir, `${name}.c`);
    writeFileSync(src, code);
    execFileSync("gcc", ["-shared", "-fPIC", "-o", join(dir, name), src]);
  }
}

const hasCompiler = (() => {
  try {
    execFileSync("gcc", ["--version"], { stdio: "ignore" });
    return process.platform === "linux";
  } catch {
    return false;
  }
})();

describe("llama.cpp release check", () => {
  it("accepts the shipped libraries", () => {
    const api = loadLlama();
    assert.equal(String(api.llama_version()).replace(/-dev$/, ""), LLAMA_VERSION);
  });

  it("refuses a library of another version with a clear message", { skip: !hasCompiler && "no C compiler" }, () => {
    const tmp = tempDir();
    try {
      fakeLibraries(tmp.dir, 'const char *llama_version(void) { return "0.3.9"; }');
      assert.throws(() => checkRelease(openLibrary(tmp.dir)), (e) => e instanceof ModelLoadError && /version 0\.3\.9; herd's binding is for 0\.4\.0/.test(e.message));
    } finally {
      tmp.cleanup();
    }
  });

  it("refuses a library without llama_version()", { skip: !hasCompiler && "no C compiler" }, () => {
    const tmp = tempDir();
    try {
      fakeLibraries(tmp.dir, "int llama_something_else(void) { return 0; }");
      assert.throws(() => checkRelease(openLibrary(tmp.dir)), (e) => e instanceof ModelLoadError && /has no llama_version\(\)/.test(e.message));
    } finally {
      tmp.cleanup();
    }
  });
});
