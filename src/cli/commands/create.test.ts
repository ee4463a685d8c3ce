import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../../testing/fixtures.js";
import { modelFilesIn } from "./create.js";

test("FROM a Hugging Face directory uploads its checkpoint, JSON and tokenizer files by relative path", (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  for (const f of ["config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json", "tokenizer.model", "tokenizer.json", "README.md", "chat_template.jinja"]) {
    writeFileSync(join(dir, f), "x");
  }
  mkdirSync(join(dir, "1_Pooling"));
  writeFileSync(join(dir, "1_Pooling", "config.json"), "{}");
  assert.deepEqual(Object.keys(modelFilesIn(dir)).sort(), [
    "1_Pooling/config.json",
    "chat_template.jinja",
    "config.json",
    "model-00001-of-00002.safetensors",
    "model-00002-of-00002.safetensors",
    "model.safetensors.index.json",
    "tokenizer.json",
    "tokenizer.model",
  ]);
});

test("FROM a directory of GGUF files, and refusals: nothing usable, a symlink out of the directory", (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const gguf = join(dir, "g");
  mkdirSync(gguf);
  writeFileSync(join(gguf, "model.gguf"), "x");
  writeFileSync(join(gguf, "notes.txt"), "x");
  assert.deepEqual(Object.keys(modelFilesIn(gguf)), ["model.gguf"]);
  const empty = join(dir, "empty");
  mkdirSync(empty);
  assert.throws(() => modelFilesIn(empty), /no safetensors or GGUF files found/);
  const hf = join(dir, "hf");
  mkdirSync(hf);
  writeFileSync(join(dir, "outside.safetensors"), "x");
  symlinkSync(join(dir, "outside.safetensors"), join(hf, "model.safetensors"));
  assert.throws(() => modelFilesIn(hf), /^Error: insecure path: model\.safetensors links outside/);
});
