// Images through /api/generate and /api/chat against the fake runner: what reaches the runner (bytes,
// markers, the projector, num_ctx), Ollama's errors, and bad images refused without unloading the model.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createFakeRunnerFactory } from "../runner/testing/index.js";
import { type CompletionRequest, IMAGE_MARKER, type LoadOptions } from "../runner/types.js";
import { model } from "../testing/fixtures.js";
import { pngWith, solidPng } from "../testing/png.js";
import { publishedGemma3Vision } from "../translate/testing.js";
import { Inference } from "./index.js";
import { collect, createTestStore, type TestStore, TestScheduler } from "./testing.js";

const TEMPLATE = "{{ range .Messages }}<{{ .Role }}>{{ .Content }}</{{ .Role }}>{{ end }}<assistant>";
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
const red = solidPng(8, [255, 0, 0]);
const blue = solidPng(8, [0, 0, 255]);

describe("Inference with images (fake runner)", () => {
  let ts: TestStore;
  let scheduler: TestScheduler;
  let vision: { path?: string; reason: string };
  let inference: Inference;
  const seen: CompletionRequest[] = [];
  const loads: LoadOptions[] = [];

  before(async () => {
    ts = await createTestStore(
      { name: "seer", gguf: model("stories260K.gguf"), template: TEMPLATE, projector: model("mmproj-tinygemma3.gguf") },
      { name: "stories", gguf: model("stories260K.gguf"), template: TEMPLATE },
      { name: "mono", gguf: await publishedGemma3Vision(), template: TEMPLATE },
    );
    const factory = createFakeRunnerFactory(() => ({}));
    scheduler = new TestScheduler(async (opts, signal) => {
      loads.push(opts);
      const runner = await factory(opts, signal);
      const complete = runner.complete.bind(runner);
      runner.complete = (req) => {
        seen.push(req);
        return complete(req);
      };
      return runner;
    });
    vision = { path: "/built/libmtmd.so", reason: "" };
    inference = new Inference({
      store: ts.store,
      scheduler,
      defaults: { contextLength: 0, goTemplate: true, vision: () => vision },
      log: { warn: () => undefined },
    });
  });
  after(async () => {
    await scheduler.closeAll();
    ts.cleanup();
  });

  it("sends the image bytes with one marker each where Ollama puts [img-N], loads the projector, num_ctx >= 2048", async () => {
    seen.length = 0;
    const out = await collect(inference.generate({ model: "seer", prompt: "what color?", images: [b64(red)], options: { num_ctx: 512, num_predict: 2 } }));
    assert.equal(out.at(-1)?.done, true);
    const req = seen.at(-1)!;
    assert.equal(req.prompt, `<user>${IMAGE_MARKER}what color?</user><assistant>`);
    assert.deepEqual(req.images?.map((b) => Buffer.from(b).equals(Buffer.from(red))), [true]);
    const load = loads.at(-1)!;
    assert.match(load.projectorPath ?? "", /blobs\/sha256-[0-9a-f]{64}$/);
    assert.equal(load.numCtx, 2048);
  });

  it("chat: images of every message in order, a literal [img] placed, debug render shows the tags", async () => {
    seen.length = 0;
    const messages = [
      { role: "user", content: "first", images: [b64(red)] },
      { role: "assistant", content: "red" },
      { role: "user", content: "compare [img] with the first", images: [b64(blue)] },
    ];
    await collect(inference.chat({ model: "seer", messages, options: { num_predict: 1 } }));
    const req = seen.at(-1)!;
    assert.equal(req.prompt, `<user>${IMAGE_MARKER}first</user><assistant>red</assistant><user>compare ${IMAGE_MARKER} with the first</user><assistant>`);
    assert.equal(req.images?.length, 2);
    assert.ok(Buffer.from(req.images![0]!).equals(Buffer.from(red)));
    assert.ok(Buffer.from(req.images![1]!).equals(Buffer.from(blue)));
    const debug = await collect(inference.chat({ model: "seer", messages, _debug_render_only: true }));
    assert.deepEqual(debug[0]._debug_info, {
      rendered_template: "<user>[img-0]first</user><assistant>red</assistant><user>compare [img-1] with the first</user><assistant>",
      image_count: 2,
    });
  });

  it("raw generate puts the images in front of the prompt", async () => {
    await collect(inference.generate({ model: "seer", prompt: "describe", raw: true, images: [b64(red), b64(blue)], options: { num_predict: 1 } }));
    assert.equal(seen.at(-1)!.prompt, `${IMAGE_MARKER}${IMAGE_MARKER}describe`);
  });

  it("a monolithic model (vision tower in its weights, no projector layer) takes images, num_ctx >= 2048; the translator supplies the projector", async () => {
    seen.length = 0;
    await collect(inference.chat({ model: "mono", messages: [{ role: "user", content: "what?", images: [b64(red)] }], options: { num_ctx: 512, num_predict: 1 } }));
    assert.equal(seen.at(-1)!.images?.length, 1);
    const load = loads.at(-1)!;
    assert.equal(load.numCtx, 2048);
    assert.equal(load.projectorPath, undefined, "no projector layer: the translator adds the derived one at load");
  });

  it("a model without a projector answers Ollama's error", async () => {
    await assert.rejects(collect(inference.generate({ model: "stories", prompt: "x", images: [b64(red)] })), {
      name: "CapabilityError",
      message: "this model is missing data required for image input",
    });
    await assert.rejects(collect(inference.chat({ model: "stories", messages: [{ role: "user", content: "x", images: [b64(red)] }] })), {
      message: "this model is missing data required for image input",
    });
  });

  it("bad images are 400s that leave the loaded model serving", async () => {
    await collect(inference.generate({ model: "seer", prompt: "warm up", options: { num_predict: 1 } }));
    const loadsBefore = loads.length;
    const bad: [string, RegExp][] = [
      ["", /image 1 is empty/],
      ["!!!", /illegal base64 data at input byte 0/],
      [b64(new TextEncoder().encode("not an image at all")), /not a PNG, JPEG, GIF or BMP image/],
      [b64(red.subarray(0, red.length - 16)), /truncated PNG/],
      [b64(pngWith(20000, 20000, new Uint8Array([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]))), /larger than 64 megapixels/],
    ];
    for (const [data, message] of bad) {
      await assert.rejects(collect(inference.generate({ model: "seer", prompt: "x", images: [data] })), (err: Error) => err.name === "BadRequestError" && message.test(err.message));
      await assert.rejects(collect(inference.chat({ model: "seer", messages: [{ role: "user", content: "x", images: [b64(red), data] }] })), (err: Error) => message.test(err.message.replace("image 2", "image 1")));
    }
    const out = await collect(inference.generate({ model: "seer", prompt: "still here", options: { num_predict: 1 } }));
    assert.equal(out.at(-1)?.done, true);
    // The same runner served throughout: no reload, no crash.
    assert.equal(loads.length, loadsBefore);
  });

  it("50 images reach the runner in order, one marker each", async () => {
    const many = Array.from({ length: 50 }, (_, i) => b64(solidPng(4, [i * 5, 0, 0])));
    await collect(inference.generate({ model: "seer", prompt: "count", images: many, options: { num_predict: 1 } }));
    const req = seen.at(-1)!;
    assert.equal(req.images?.length, 50);
    assert.equal(req.prompt.toString().split(IMAGE_MARKER).length - 1, 50);
    assert.equal(b64(req.images![49]!), many[49]);
  });

  it("without the vision library: text still works (no projector loaded), images say how to enable vision", async () => {
    vision = { reason: "the vision library is not built; install build-essential and run build-mtmd.mjs" };
    try {
      await collect(inference.generate({ model: "seer", prompt: "text only", options: { num_predict: 1 } }));
      assert.equal(loads.at(-1)!.projectorPath, undefined);
      await assert.rejects(collect(inference.generate({ model: "seer", prompt: "x", images: [b64(red)] })), {
        name: "VisionUnavailableError",
        message: /^images cannot be used on this server: the vision library is not built; install build-essential/,
      });
    } finally {
      vision = { path: "/built/libmtmd.so", reason: "" };
    }
  });
});
