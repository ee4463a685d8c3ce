// Images in requests (ollama-spec §1.2 `images`, §8.2 image placeholders): base64 decoding with Go's
// strictness, a header check that refuses what the engine cannot decode (or should not try to) before a
// runner sees it, and the placement of each image in the prompt.
//
// Placement follows Ollama's chatPrompt: every image of a kept message becomes a tag `[img-N]` (N counts
// images in prompt order) prefixed to the message content, or replacing a literal `[img]` the user wrote.
// After rendering, herd swaps each `[img-N]` for the runner's IMAGE_MARKER, as Ollama swaps it for
// llama-server's media marker; the runner then finds the i-th image at the i-th marker.

import type { Message } from "../api/types.js";
import { IMAGE_MARKER } from "../runner/types.js";
import { BadRequestError } from "../util/errors.js";

/**
 * Largest decoded image, in pixels. The engine decodes to 8-bit RGB before the projector downsizes
 * (every projector's input is at most a few megapixels), so 64 MP means at most 192 MB of transient
 * RAM per image — above any camera or screenshot people send, far below a 20000×20000 bomb (1.2 GB).
 */
export const MAX_IMAGE_PIXELS = 64 * 1024 * 1024;
/** The decoder's own per-side limit (stb_image's STBI_MAX_DIMENSIONS). */
export const MAX_IMAGE_SIDE = 1 << 24;

const B64 = /^[A-Za-z0-9+/]*$/;

/**
 * Go's `encoding/json` decoding of a `[]byte` field (base64.StdEncoding; `\r`/`\n` skipped): the same
 * inputs fail, with Go's message, so clients see what Ollama says.
 */
export function decodeBase64Strict(s: string): Uint8Array {
  const clean = s.replace(/[\r\n]/g, "");
  const body = clean.replace(/=+$/, "");
  if (!B64.test(body)) {
    const at = [...clean].findIndex((c) => !/[A-Za-z0-9+/=]/.test(c));
    throw new BadRequestError(`illegal base64 data at input byte ${Math.max(0, at)}`);
  }
  const pad = clean.length - body.length;
  if (clean.length % 4 !== 0 || pad > 2 || (body.length % 4 === 1)) {
    throw new BadRequestError(`illegal base64 data at input byte ${Math.min(clean.length, body.length - (body.length % 4))}`);
  }
  return new Uint8Array(Buffer.from(clean, "base64"));
}

export interface ImageInfo {
  format: "png" | "jpeg" | "gif" | "bmp" | "webp";
  width: number;
  height: number;
}

const u32be = (b: Uint8Array, o: number) => ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;
const u16be = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const u16le = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const i32le = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));

/** Format and size from the header alone; undefined when the bytes are no image format we know. */
export function sniffImage(b: Uint8Array): ImageInfo | undefined {
  if (b.length >= 24 && u32be(b, 0) === 0x89504e47 && u32be(b, 4) === 0x0d0a1a0a && ascii(b, 12, 4) === "IHDR") {
    return { format: "png", width: u32be(b, 16), height: u32be(b, 20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // Walk the segments to the first start-of-frame (SOF0..SOF15 except DHT/JPG/DAC).
    let o = 2;
    while (o + 9 < b.length) {
      if (b[o] !== 0xff) return { format: "jpeg", width: 0, height: 0 };
      const marker = b[o + 1]!;
      if (marker === 0xff) { o++; continue; }
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { format: "jpeg", width: u16be(b, o + 7), height: u16be(b, o + 5) };
      }
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { o += 2; continue; }
      o += 2 + u16be(b, o + 2);
    }
    return { format: "jpeg", width: 0, height: 0 };
  }
  if (b.length >= 10 && (ascii(b, 0, 6) === "GIF87a" || ascii(b, 0, 6) === "GIF89a")) {
    return { format: "gif", width: u16le(b, 6), height: u16le(b, 8) };
  }
  if (b.length >= 26 && ascii(b, 0, 2) === "BM") {
    return { format: "bmp", width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
  }
  if (b.length >= 16 && ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP") {
    return { format: "webp", width: 0, height: 0 };
  }
  return undefined;
}

/**
 * Refuses, with a 400 a person can act on, what the engine would fail on or should not attempt: no
 * data, no known format, WebP (stb_image, the engine's decoder, has none), a PNG cut short, or a size
 * past MAX_IMAGE_PIXELS. `n` is the image's position in the request, for the message.
 */
export function checkImage(bytes: Uint8Array, n: number): ImageInfo {
  const which = `image ${n + 1}`;
  if (bytes.length === 0) throw new BadRequestError(`invalid image input: ${which} is empty`);
  const info = sniffImage(bytes);
  if (!info) throw new BadRequestError(`invalid image input: ${which} is not a PNG, JPEG, GIF or BMP image`);
  if (info.format === "webp") {
    throw new BadRequestError(`invalid image input: ${which} is WebP, which this engine cannot decode yet; send PNG or JPEG`);
  }
  if (info.format === "png" && !endsWithIend(bytes)) {
    throw new BadRequestError(`invalid image input: ${which} is a truncated PNG`);
  }
  if (info.width === 0 || info.height === 0) throw new BadRequestError(`invalid image input: ${which} has no readable size`);
  if (info.width > MAX_IMAGE_SIDE || info.height > MAX_IMAGE_SIDE || info.width * info.height > MAX_IMAGE_PIXELS) {
    throw new BadRequestError(
      `invalid image input: ${which} is ${info.width}x${info.height}, larger than ${MAX_IMAGE_PIXELS / (1024 * 1024)} megapixels; resize it`,
    );
  }
  return info;
}

/** A complete PNG ends with the IEND chunk (length 0, "IEND", its CRC). */
function endsWithIend(b: Uint8Array): boolean {
  return b.length >= 12 && u32be(b, b.length - 12) === 0 && ascii(b, b.length - 8, 4) === "IEND";
}

/** Decodes and checks every image of the request, in order. */
export function decodeImages(images: readonly string[]): Uint8Array[] {
  return images.map((s, i) => {
    const bytes = decodeBase64Strict(s);
    checkImage(bytes, i);
    return bytes;
  });
}

/** Ollama's `[img-N]` tagging of the messages that will be rendered (copies; inputs untouched). */
export function tagImages(messages: readonly Message[]): Message[] {
  let id = 0;
  return messages.map((msg) => {
    if (!msg.images?.length) return msg;
    let prefix = "";
    let content = msg.content ?? "";
    for (let i = 0; i < msg.images.length; i++) {
      const tag = `[img-${id++}]`;
      if (content.includes("[img]")) content = content.replace("[img]", tag);
      else prefix += tag;
    }
    return { ...msg, content: prefix + content };
  });
}

/**
 * The rendered prompt with each `[img-N]` (N < count) replaced by IMAGE_MARKER, and the image indices in
 * marker order (a template may place messages in another order than the list). A tag the template
 * dropped leaves its image out; a repeated tag repeats the image.
 */
export function placeImages(prompt: string, count: number): { prompt: string; order: number[] } {
  const order: number[] = [];
  if (count === 0) return { prompt, order };
  const text = prompt.replace(/\[img-(\d+)\]/g, (tag, n: string) => {
    const i = Number(n);
    if (i >= count) return tag;
    order.push(i);
    return IMAGE_MARKER;
  });
  return { prompt: text, order };
}

export function countImages(messages: readonly Message[]): number {
  return messages.reduce((n, m) => n + (m.images?.length ?? 0), 0);
}

/** The decoded bytes of the images the kept messages carry, in message order (`all[i]` decodes `sent[i]`). */
export function keptImages(kept: readonly Message[], sent: readonly string[], all: readonly Uint8Array[]): Uint8Array[] {
  if (all.length === 0) return [];
  const byData = new Map<string, Uint8Array>();
  sent.forEach((b64, i) => byData.set(b64, all[i]!));
  return kept.flatMap((m) => (m.images ?? []).map((b64) => byData.get(b64)!)).filter((b) => b !== undefined);
}

/**
 * The runner's prompt and images: `[img-N]` tags become IMAGE_MARKERs (images in marker order); a prompt
 * with no tag at all (raw mode, a template override that ignores images) gets every image's marker in
 * front, as llama.cpp's mtmd tools do when a prompt names no media.
 */
export function imagesInPrompt(prompt: string, images: readonly Uint8Array[]): { prompt: string; images: Uint8Array[] } {
  if (images.length === 0) return { prompt, images: [] };
  const placed = placeImages(prompt, images.length);
  // A raw prompt may already hold llama.cpp's markers, one per image.
  if (placed.order.length === 0 && prompt.split(IMAGE_MARKER).length - 1 === images.length) return { prompt, images: images.slice() };
  if (placed.order.length === 0) return { prompt: IMAGE_MARKER.repeat(images.length) + prompt, images: images.slice() };
  return { prompt: placed.prompt, images: placed.order.map((i) => images[i]!) };
}
