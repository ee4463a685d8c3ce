import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../testing/fixtures.js";
import { solidPng } from "../testing/png.js";
import { attachImages, extractFileNames, isMultimodal, normalizeFilePath, sniffContentType } from "./attach-images.js";

describe("herd run image paths (Ollama's extractFileData)", () => {
  it("finds absolute, ./ and drive-letter paths with the image extensions, any case", () => {
    assert.deepEqual(extractFileNames("look at /tmp/a.png and ./b.JPG, C:\\pics\\c.webp or d.png"), ["/tmp/a.png", "./b.JPG", "C:\\pics\\c.webp"]);
    assert.deepEqual(extractFileNames("/home/me/my\\ cat.jpeg please"), ["/home/me/my\\ cat.jpeg"]);
    assert.deepEqual(extractFileNames("no images /tmp/a.gif here"), []);
  });

  it("undoes shell escapes", () => {
    assert.equal(normalizeFilePath("/a/my\\ cat\\ \\(1\\).png"), "/a/my cat (1).png");
    assert.equal(normalizeFilePath("/a/it'\\''s.png"), "/a/it's.png");
  });

  it("sniffs content types as Go's DetectContentType for the accepted kinds", () => {
    assert.equal(sniffContentType(solidPng(2, [0, 0, 0])), "image/png");
    assert.equal(sniffContentType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])), "image/jpeg");
    assert.equal(sniffContentType(new TextEncoder().encode("hello")), "text/plain; charset=utf-8");
  });

  it("attaches existing files, removes their paths, leaves missing ones, refuses non-images", async () => {
    const { dir, cleanup } = tempDir("herd-attach-");
    try {
      const png = join(dir, "red dot.png");
      writeFileSync(png, solidPng(4, [255, 0, 0]));
      const fake = join(dir, "fake.png");
      writeFileSync(fake, "just text");
      const notes: string[] = [];
      const escaped = png.replace(/ /g, "\\ ");
      const r = await attachImages(`what is ${escaped} and /nope/missing.png?`, (l) => notes.push(l));
      assert.equal(r.prompt, "what is  and /nope/missing.png?");
      assert.equal(r.images.length, 1);
      assert.deepEqual(Buffer.from(r.images[0]!, "base64"), Buffer.from(solidPng(4, [255, 0, 0])));
      assert.deepEqual(notes, [`Added image '${png}'\n`]);
      await assert.rejects(attachImages(`see ${fake}`, () => undefined), { message: 'Couldn\'t process image: "invalid image type: text/plain; charset=utf-8"' });
    } finally {
      cleanup();
    }
  });

  it("multimodal means vision or audio", () => {
    assert.equal(isMultimodal(["completion", "vision"]), true);
    assert.equal(isMultimodal(["completion"]), false);
  });
});
