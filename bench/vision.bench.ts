// Vision: the cost of one image on the tiny gemma3 projector (encode + decode of its 256 embeddings) and the
// end-to-end first-token latency of a streamed /api/generate with one image against the same request
// without it (the anchor, measured in the same run). Each round uses a new image and a new prompt, so the
// KV prefix cache never serves the image. Skipped when libmtmd was not built.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { mtmdLibrary } from "../src/runner/native/mtmd-path.js";
import { model } from "../src/testing/fixtures.js";
import { solidPng } from "../src/testing/png.js";
import { syntheticGemma3 } from "../src/testing/synthetic-gemma3.js";
import { startServer } from "../test/e2e/harness.js";
import { median } from "./stats.js";

const ROUNDS = 5;

export async function run(): Promise<Record<string, number | string>> {
  const lib = mtmdLibrary();
  if (!lib.path) return { skipped: lib.reason };
  const srv = await startServer({ OLLAMA_KEEP_ALIVE: "10m" });
  try {
    const upload = async (file: string) => {
      const bytes = readFileSync(file);
      const digest = "sha256:" + createHash("sha256").update(bytes).digest("hex");
      await fetch(`${srv.url}/api/blobs/${digest}`, { method: "POST", body: bytes });
      return digest;
    };
    const files = { "model.gguf": await upload(await syntheticGemma3()), "mmproj.gguf": await upload(model("mmproj-tinygemma3.gguf")) };
    await fetch(`${srv.url}/api/create`, { method: "POST", body: JSON.stringify({ model: "seer", files, stream: false }) });
    /** Streams one generate; returns ms to the first chunk and the server's prompt_eval_duration in ms. */
    const once = async (prompt: string, images?: string[]) => {
      const t0 = performance.now();
      const r = await fetch(`${srv.url}/api/generate`, {
        method: "POST",
        body: JSON.stringify({ model: "seer", prompt, images, raw: true, options: { num_predict: 2, temperature: 0 } }),
      });
      const reader = r.body!.getReader();
      let first = 0;
      let text = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        first ||= performance.now() - t0;
        text += new TextDecoder().decode(value);
      }
      const last = JSON.parse(text.trim().split("\n").at(-1)!) as { prompt_eval_duration?: number; error?: string };
      if (last.error) throw new Error(last.error);
      return { first, promptMs: (last.prompt_eval_duration ?? 0) / 1e6 };
    };
    await once("warm up");
    const text: { first: number; promptMs: number }[] = [];
    const image: { first: number; promptMs: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      text.push(await once(`round ${i}: what is it?`));
      const png = Buffer.from(solidPng(32, [(i * 50) % 256, 80, 200])).toString("base64");
      image.push(await once(`round ${i}: what is it?`, [png]));
    }
    const tText = median(text.map((x) => x.first));
    const tImage = median(image.map((x) => x.first));
    return {
      "image prompt eval (encode+decode) ms": median(image.map((x) => x.promptMs)) - median(text.map((x) => x.promptMs)),
      "first token, text only ms (anchor)": tText,
      "first token, one image ms": tImage,
      "image / text first-token ratio": tImage / tText,
    };
  } finally {
    await srv.stop();
  }
}

if (fileURLToPath(import.meta.url) === process.argv[1]) console.log(await run());
