import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { IMAGE_MARKER } from "../runner/types.js";
import { fixture } from "../testing/fixtures.js";
import { makePng, pngWith, solidPng } from "../testing/png.js";
import { BadRequestError } from "../util/errors.js";
import { checkImage, decodeBase64Strict, imagesInPrompt, keptImages, placeImages, sniffImage, tagImages } from "./images.js";

const img = (name: string) => new Uint8Array(readFileSync(fixture(`images/${name}`)));

describe("request images", () => {
  it("decodes base64 as Go's encoding/json does, with Go's message for bad data", () => {
    assert.deepEqual([...decodeBase64Strict("aGk=")], [104, 105]);
    assert.deepEqual([...decodeBase64Strict("aG\nk=")], [104, 105]);
    assert.deepEqual([...decodeBase64Strict("")], []);
    assert.throws(() => decodeBase64Strict("aGk"), { name: "BadRequestError", message: /^illegal base64 data at input byte/ });
    assert.throws(() => decodeBase64Strict("data:image/png;base64,aGk="), { message: "illegal base64 data at input byte 4" });
    assert.throws(() => decodeBase64Strict("a!Gk="), { message: "illegal base64 data at input byte 1" });
  });

  it("reads format and size from the header of each format", () => {
    assert.deepEqual(sniffImage(img("python.png")), { format: "png", width: 16, height: 16 });
    assert.deepEqual(sniffImage(img("python.jpg")), { format: "jpeg", width: 16, height: 16 });
    assert.deepEqual(sniffImage(img("python.gif")), { format: "gif", width: 16, height: 16 });
    assert.deepEqual(sniffImage(img("python.bmp")), { format: "bmp", width: 16, height: 16 });
    assert.equal(sniffImage(img("python.webp"))?.format, "webp");
    assert.equal(sniffImage(new TextEncoder().encode("hello, not an image")), undefined);
    assert.deepEqual(sniffImage(makePng(7, 3, () => [1, 2, 3])), { format: "png", width: 7, height: 3 });
  });

  it("refuses empty data, non-images, WebP, truncated PNGs and oversized images with a 400", () => {
    const png = solidPng(8, [255, 0, 0]);
    checkImage(png, 0);
    checkImage(img("python.jpg"), 0);
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(0), /image 1 is empty/],
      [new TextEncoder().encode("GIF? no, plain text"), /not a PNG, JPEG, GIF or BMP image/],
      [img("python.webp"), /WebP/],
      [png.subarray(0, png.length - 20), /truncated PNG/],
      [pngWith(20000, 20000, new Uint8Array([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), /20000x20000, larger than 64 megapixels/],
    ];
    for (const [bytes, message] of cases) assert.throws(() => checkImage(bytes, 0), (err: Error) => err instanceof BadRequestError && message.test(err.message));
  });

  it("tags images as Ollama's chatPrompt: [img-N] prefixes in order, or replaces a literal [img]", () => {
    const tagged = tagImages([
      { role: "system", content: "s" },
      { role: "user", content: "what is this?", images: ["A", "B"] },
      { role: "assistant", content: "cats" },
      { role: "user", content: "and [img] here", images: ["C"] },
    ]);
    assert.deepEqual(tagged.map((m) => m.content), ["s", "[img-0][img-1]what is this?", "cats", "and [img-2] here"]);
  });

  it("turns tags into the runner's markers, images in marker order", () => {
    const a = new Uint8Array([1]);
    const b = new Uint8Array([2]);
    assert.deepEqual(placeImages("x[img-1]y[img-0]z[img-7]", 2), { prompt: `x${IMAGE_MARKER}y${IMAGE_MARKER}z[img-7]`, order: [1, 0] });
    const placed = imagesInPrompt("x[img-1]y[img-0]", [a, b]);
    assert.deepEqual(placed.images, [b, a]);
    // Raw prompts name no image: all of them go in front.
    assert.deepEqual(imagesInPrompt("describe", [a, b]), { prompt: `${IMAGE_MARKER}${IMAGE_MARKER}describe`, images: [a, b] });
    // …unless it already holds one llama.cpp marker per image.
    assert.deepEqual(imagesInPrompt(`a ${IMAGE_MARKER} b`, [a]), { prompt: `a ${IMAGE_MARKER} b`, images: [a] });
    // Only images of kept (not truncated) messages reach the runner.
    assert.deepEqual(keptImages([{ role: "user", content: "", images: ["B64B"] }], ["B64A", "B64B"], [a, b]), [b]);
  });
});
