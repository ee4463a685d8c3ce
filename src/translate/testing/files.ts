// Looking into written and translated files: tensor names and bytes, and whether llama.cpp runs them.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { GgufFile } from "../../gguf/index.js";
import { createEngineRunner } from "../../runner/index.js";
import { collect } from "../../runner/testing/contract.js";

/** The bytes of tensor `name` in the GGUF file at `path`. */
export function bytesOf(g: GgufFile, path: string, name: string): Buffer {
  const t = g.tensors.find((x) => x.name === name);
  if (!t) throw new Error(`no tensor ${name}`);
  return readFileSync(path).subarray(g.dataOffset + t.offset, g.dataOffset + t.offset + t.size!);
}

/** The tensor names of a GGUF file. */
export function names(g: GgufFile): Set<string> {
  return new Set(g.tensors.map((t) => t.name));
}

/** Loads a model through herd's engine runner (CPU) and generates a few tokens; returns how many. */
export async function generates(modelPath: string, numPredict = 3): Promise<number> {
  const runner = await createEngineRunner({ modelPath, numCtx: 64, numGpu: 0 });
  try {
    const { chunks, done } = await collect(runner, { prompt: "Once upon a time", sampling: { temperature: 0, numPredict } });
    assert.equal(done.type, "done");
    assert.ok(done.timings.promptTokens > 0);
    return chunks.reduce((n, c) => n + (c.type === "token" ? c.tokens.length : 0), 0);
  } finally {
    await runner.close();
  }
}
