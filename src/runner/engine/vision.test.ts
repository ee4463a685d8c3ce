// Images on the real engine: llama.cpp's mtmd (libmtmd built at install) with the real tinygemma3 projector
// and a synthetic gemma3 text model of matching width. Skipped, with the reason, when libmtmd is not built.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { mtmdLibrary } from "../native/mtmd-path.js";
import { type CompletionChunk, type CompletionRequest, IMAGE_MARKER, type Runner, type Timings } from "../types.js";
import { fixture, model } from "../../testing/fixtures.js";
import { makePng, solidPng } from "../../testing/png.js";
import { syntheticGemma3 } from "../../testing/synthetic-gemma3.js";
import { createEngineRunner } from "./index.js";

const lib = mtmdLibrary();
const image = (name: string) => new Uint8Array(readFileSync(fixture(`images/${name}`)));
const red = solidPng(32, [255, 0, 0]);
const blue = solidPng(32, [0, 0, 255]);

describe("engine: images through mtmd", { skip: lib.path ? false : lib.reason }, () => {
  let runner: Runner;

  before(async () => {
    runner = await createEngineRunner({ modelPath: await syntheticGemma3(), projectorPath: model("mmproj-tinygemma3.gguf"), numCtx: 2048, numThread: 1 });
  });
  after(async () => {
    await runner?.close();
  });

  async function run(images: Uint8Array[] | undefined, prompt = `${IMAGE_MARKER}\n`): Promise<{ text: string; logprobs: number[]; timings: Timings }> {
    const req: CompletionRequest = { prompt, sampling: { temperature: 0, numPredict: 4 }, logprobs: true };
    if (images) req.images = images;
    let text = "";
    const logprobs: number[] = [];
    let done: Extract<CompletionChunk, { type: "done" }> | undefined;
    for await (const c of runner.complete(req)) {
      if (c.type === "token") {
        text += c.text;
        logprobs.push(...(c.logprobs ?? []).map((l) => l.logprob));
      } else done = c;
    }
    return { text, logprobs, timings: done!.timings };
  }

  it("the same image gives the same output; another image another one", async () => {
    const a = await run([red]);
    const b = await run([red]);
    const c = await run([blue]);
    assert.equal(a.text, b.text);
    // Equal up to float noise: the cached run decodes only the last position, the first one the whole prompt.
    const round = (xs: number[]) => xs.map((x) => x.toFixed(4));
    assert.deepEqual(round(a.logprobs), round(b.logprobs));
    assert.notEqual(a.text, c.text);
    assert.notDeepEqual(round(a.logprobs), round(c.logprobs));
  });

  it("counts the image's positions in the prompt and reuses them from the KV cache on the next turn", async () => {
    const text = await run(undefined, "\n");
    const first = await run([blue], `look ${IMAGE_MARKER} now`);
    // tinygemma3 turns an image into 256 embeddings plus its start/end tokens.
    assert.ok(first.timings.promptTokens >= text.timings.promptTokens + 256, `${first.timings.promptTokens} prompt tokens`);
    const again = await run([blue], `look ${IMAGE_MARKER} now, and then`);
    assert.ok(again.timings.promptTokens > first.timings.promptTokens);
    assert.ok(again.timings.promptEvaluated < 10, `${again.timings.promptEvaluated} evaluated again`);
    const other = await run([red], `look ${IMAGE_MARKER} now, and then`);
    assert.ok(other.timings.promptEvaluated >= 256, "a different image is evaluated again");
  });

  it("decodes PNG, JPEG, GIF and BMP; refuses WebP and broken data with a 400 and keeps serving", async () => {
    const outs: { timings: Timings }[] = [];
    for (const f of ["python.png", "python.jpg", "python.gif", "python.bmp"]) outs.push(await run([image(f)]));
    assert.ok(outs.every((o) => o.timings.promptTokens === outs[0]!.timings.promptTokens));
    const noisy = makePng(32, 32, (x, y) => [(x * 37 + y * 11) % 256, (x * y) % 256, ((x ^ y) * 8) % 256]);
    // (stb_image decodes a truncated JPEG, grey where data is missing: the server refuses only truncated PNGs.)
    for (const bad of [image("python.webp"), new Uint8Array([1, 2, 3])]) {
      await assert.rejects(run([bad]), (err: Error) => err.name === "BadRequestError" && /image 1 could not be decoded|could not be preprocessed/.test(err.message));
    }
    assert.equal((await run([noisy])).timings.evalTokens, 4);
  });

  it("refuses a marker count that does not match the images, and a prompt too long for the context", async () => {
    await assert.rejects(run([red, blue], `one ${IMAGE_MARKER} only`), { name: "BadRequestError", message: /1 image markers for 2 images/ });
    const many = Array.from({ length: 10 }, (_, i) => solidPng(8, [i * 20, 0, 0]));
    await assert.rejects(run(many, `${IMAGE_MARKER.repeat(10)} all`), { name: "BadRequestError", message: /longer than the context length/ });
    assert.equal((await run([red])).timings.evalTokens, 4);
  });
});
