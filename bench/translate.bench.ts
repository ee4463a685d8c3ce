// Translation of a 1 GB gemma3 file in Ollama's published layout (vision tower inside, nested rope keys)
// into the text model + projector llama.cpp loads, beside a plain `cp` of the same file (issue #11:
// no slower than the copy; a re-load of a translated model costs one stat). Neither is fsynced: a
// translation is derived and re-creatable, and checked (size + header) by a new process's first load.

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { open, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { readGguf } from "../src/gguf/index.js";
import type { LoadOptions } from "../src/runner/index.js";
import { tempDir } from "../src/testing/fixtures.js";
import { Translator } from "../src/translate/index.js";
import { writePublishedGemma3 } from "../src/translate/testing.js";

/** Bytes actually allocated on disk (a reflink or a hole costs nothing). */
async function diskBytes(path: string): Promise<number> {
  return (await stat(path)).blocks * 512;
}

/** Fills a written-without-data file's tensor region with random bytes, 16 MiB at a time. */
async function fillData(path: string): Promise<void> {
  const g = await readGguf(path);
  const fh = await open(path, "r+");
  try {
    const chunk = randomBytes(16 << 20);
    for (let at = g.dataOffset; at < g.fileSize; at += chunk.length) {
      chunk.writeUInt32LE(at >>> 0, 0); // no two chunks alike
      await fh.write(chunk, 0, Math.min(chunk.length, g.fileSize - at), at);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const { dir, cleanup } = tempDir("herd-bench-translate-");
  try {
    const src = join(dir, "gemma3-published.gguf");
    // 9 layers of a 2048-wide F16 gemma3 ≈ 1 GB, plus tinygemma3's vision tower and projector inside.
    await writePublishedGemma3(src, { embd: 2048, layers: 9, ff: 8192, heads: 8, headDim: 256, vision: true, type: "F16", noData: true });
    await fillData(src);
    const size = (await stat(src)).size;

    // Dirty pages of one copy slow the next one down: flush before every timed step, and time each
    // contender twice, alternating, keeping the faster run.
    const flush = () => spawnSync("sync");
    const timeCp = (dst: string, fsync: boolean) => {
      flush();
      const t = performance.now();
      const r = spawnSync("cp", [src, dst]);
      if (r.status !== 0) throw new Error(String(r.stderr));
      if (fsync) spawnSync("sync", [dst]);
      return performance.now() - t;
    };
    const translator = new Translator({ dir: join(dir, "derived") });
    let load: LoadOptions = { modelPath: src, numCtx: 2048 };
    const timeTranslate = async () => {
      await rm(join(dir, "derived"), { recursive: true, force: true });
      translator.forget(src);
      flush();
      const t = performance.now();
      load = await translator.prepare({ modelPath: src, numCtx: 2048 });
      return performance.now() - t;
    };
    const cpMs = Math.min(timeCp(join(dir, "copy-a.gguf"), false), timeCp(join(dir, "copy-b.gguf"), false));
    let cpSyncMs = timeCp(join(dir, "copy-c.gguf"), true);
    let trMs = await timeTranslate();
    cpSyncMs = Math.min(cpSyncMs, timeCp(join(dir, "copy-d.gguf"), true));
    trMs = Math.min(trMs, await timeTranslate());
    const cpDisk = await diskBytes(join(dir, "copy-a.gguf"));
    if (load.modelPath === src) throw new Error("the file was not translated");
    let trDisk = await diskBytes(load.modelPath);
    if (load.projectorPath) trDisk += await diskBytes(load.projectorPath);

    const reloads: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await translator.prepare({ modelPath: src, numCtx: 2048 });
      reloads.push(performance.now() - t);
    }
    reloads.sort((a, b) => a - b);
    const t2 = performance.now();
    await new Translator({ dir: join(dir, "derived") }).prepare({ modelPath: src, numCtx: 2048 });
    const restartMs = performance.now() - t2;

    return {
      "source size (MB)": size / 1e6,
      "cp: time (ms)": cpMs,
      "cp + fsync: time (ms)": cpSyncMs,
      "cp: extra disk (MB)": cpDisk / 1e6,
      "translate (not fsynced, as cp): time (ms)": trMs,
      "translate: extra disk (MB)": trDisk / 1e6,
      "translate / cp time": trMs / cpMs,
      "re-load, same process: median (ms)": reloads[100]!,
      "re-load after restart: header reads + size/header check (ms)": restartMs,
    };
  } finally {
    cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await run());
