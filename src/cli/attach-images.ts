// `herd run` on a vision (or audio) model: file paths in the prompt are read and sent as images, as
// Ollama's CLI does (cmd/interactive.go extractFileData, ollama-spec §3.1): a path starts with `/`, `./`,
// `\` or a drive letter, may hold escaped or plain spaces, and ends in .jpg/.jpeg/.png/.webp/.wav (any
// case); shell escapes are undone; paths that do not exist stay in the text; the file's content must
// sniff as JPEG, PNG, WebP or WAV and be at most 100 MB; attached paths are removed from the text.

import { open } from "node:fs/promises";

const PATH_RE = /(?:[a-zA-Z]:)?(?:\.\/|\/|\\)[\S\\ ]+?\.(?:jpg|jpeg|png|webp|wav)\b/gi;
const MAX_FILE_BYTES = 100 * 1024 * 1024;

/** Candidate paths in a line of input (some may not exist; the caller checks). */
export function extractFileNames(input: string): string[] {
  return input.match(PATH_RE) ?? [];
}

const UNESCAPES: [string, string][] = [
  ["'\\''", "'"],
  ["\\ ", " "], ["\\(", "("], ["\\)", ")"], ["\\[", "["], ["\\]", "]"], ["\\{", "{"], ["\\}", "}"],
  ["\\$", "$"], ["\\&", "&"], ["\\;", ";"], ["\\'", "'"], ["\\\\", "\\"], ["\\*", "*"], ["\\?", "?"], ["\\~", "~"],
];

/** Undoes the shell escapes a terminal adds to a dragged-in path (one left-to-right pass, like Go's Replacer). */
export function normalizeFilePath(fp: string): string {
  let out = "";
  outer: for (let i = 0; i < fp.length; ) {
    for (const [from, to] of UNESCAPES) {
      if (fp.startsWith(from, i)) {
        out += to;
        i += from.length;
        continue outer;
      }
    }
    out += fp[i++];
  }
  return out;
}

/** The MIME type Go's http.DetectContentType gives the kinds accepted here (others: a generic type). */
export function sniffContentType(b: Uint8Array): string {
  const ascii = (o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.length >= 8 && ascii(0, 8) === "\x89PNG\r\n\x1a\n") return "image/png";
  if (b.length >= 14 && ascii(0, 4) === "RIFF" && ascii(8, 6) === "WEBPVP") return "image/webp";
  if (b.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 4) === "WAVE") return "audio/wave";
  if (b.length >= 6 && (ascii(0, 6) === "GIF87a" || ascii(0, 6) === "GIF89a")) return "image/gif";
  if (b.length >= 2 && ascii(0, 2) === "BM") return "image/bmp";
  return b.some((c) => c < 0x09 || (c > 0x0d && c < 0x20 && c !== 0x1b)) ? "application/octet-stream" : "text/plain; charset=utf-8";
}

const ALLOWED = new Set(["image/jpeg", "image/jpg", "image/png", "image/webp", "audio/wave"]);

/** A file's bytes, or undefined when it does not exist; throws for a wrong type or size. */
async function readImageFile(path: string): Promise<Uint8Array | undefined> {
  let fh;
  try {
    fh = await open(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return undefined;
    const head = new Uint8Array(Math.min(512, st.size));
    await fh.read(head, 0, head.length, 0);
    const type = sniffContentType(head);
    if (!ALLOWED.has(type)) throw new Error(`invalid image type: ${type}`);
    if (st.size > MAX_FILE_BYTES) throw new Error("file size exceeds maximum limit (100MB)");
    return new Uint8Array(await fh.readFile());
  } finally {
    await fh.close();
  }
}

export interface Attached {
  /** The prompt without the attached paths, trimmed. */
  prompt: string;
  /** base64, as `images` travel in the API. */
  images: string[];
}

/**
 * Attaches the files named in `input`. `note` receives `Added image '<path>'` per file (Ollama prints it
 * on stderr); a file of the wrong type or size throws `Couldn't process image: "<reason>"`.
 */
export async function attachImages(input: string, note: (line: string) => void): Promise<Attached> {
  const images: string[] = [];
  let prompt = input;
  for (const fp of extractFileNames(input)) {
    const nfp = normalizeFilePath(fp);
    let data: Uint8Array | undefined;
    try {
      data = await readImageFile(nfp);
    } catch (err) {
      throw new Error(`Couldn't process image: ${JSON.stringify((err as Error).message)}`);
    }
    if (!data) continue;
    note(`Added image '${nfp}'\n`);
    prompt = prompt.split(`'${nfp}'`).join("").split(`'${fp}'`).join("").split(fp).join("");
    images.push(Buffer.from(data).toString("base64"));
  }
  return { prompt: prompt.trim(), images };
}

/** Ollama's multimodal test: the model lists `vision` or `audio`. */
export function isMultimodal(capabilities: readonly string[] | undefined): boolean {
  return !!capabilities?.some((c) => c === "vision" || c === "audio");
}
