// `GET /api/tags` and `herd list` with 500 models in the store (issue: API < 100 ms, CLI < 300 ms).

import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseName } from "../src/name/index.js";
import { CONFIG_MEDIA_TYPE, MediaType, newManifest, Store } from "../src/store/index.js";
import { model, tempDir } from "../src/testing/fixtures.js";
import { runCli, startServer } from "../test/e2e/harness.js";
import { median } from "./stats.js";


export async function run(): Promise<Record<string, number>> {
  const { dir, cleanup } = tempDir("herd-bench-list-");
  try {
    const store = new Store(dir);
    mkdirSync(join(dir, "blobs"), { recursive: true });
    const tmp = join(dir, "w.gguf");
    copyFileSync(model("stories260K.gguf"), tmp);
    const { createReadStream } = await import("node:fs");
    const w = await store.blobs.write(createReadStream(tmp));
    for (let i = 0; i < 500; i++) {
      const sys = await store.blobs.write(`system prompt ${i}`);
      const cfg = await store.blobs.write(JSON.stringify({ model_format: "gguf", model_family: "llama", model_families: ["llama"], model_type: "260K", file_type: "F32", architecture: "amd64", os: "linux" }));
      await store.writeManifest(parseName(`bench/model-${i}:latest`), newManifest({ mediaType: CONFIG_MEDIA_TYPE, ...cfg }, [
        { mediaType: MediaType.model, ...w },
        { mediaType: MediaType.system, ...sys },
      ]));
    }
    // A real `herd serve` on the populated store, as a user runs it.
    const srv = await startServer({ OLLAMA_MODELS: dir, OLLAMA_NOPRUNE: "1" });
    const url = srv.url;
    const cold0 = performance.now();
    const first = await (await fetch(`${url}/api/tags`)).json();
    const cold = performance.now() - cold0;
    if (first.models.length !== 500) throw new Error(`expected 500 models, got ${first.models.length}`);
    const api: number[] = [];
    const uncached: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await (await fetch(`${url}/api/tags`)).arrayBuffer();
      api.push(performance.now() - t0);
    }
    for (let i = 0; i < 5; i++) {
      // Past the listing's memory TTL: the store is read again.
      await new Promise((r) => setTimeout(r, 1100));
      const t0 = performance.now();
      await (await fetch(`${url}/api/tags`)).arrayBuffer();
      uncached.push(performance.now() - t0);
    }
    const cli: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      const r = await runCli(["list"], { env: { ...process.env, OLLAMA_HOST: url } });
      cli.push(performance.now() - t0);
      if (r.code !== 0) throw new Error(r.stderr);
    }
    await srv.stop();
    const result = {
      "tags_first_ms": cold,
      "tags_median_ms (target < 100)": median(api),
      "tags_reread_median_ms (target < 100)": median(uncached),
      "cli_list_median_ms (target < 300)": median(cli),
    };
    return result;
  } finally {
    cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href || fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(await run());
}
