// The files of a Hugging Face model directory, by their path relative to it. The CLI hands a local
// directory; the server hands uploaded blobs (`files: {"config.json": "sha256:…"}`), so conversion only
// ever sees this map, never where the bytes live.

import { readFile } from "node:fs/promises";
import { ConversionError } from "../util/errors.js";

export class SourceFiles {
  constructor(private readonly paths: ReadonlyMap<string, string>) {}

  static of(record: Record<string, string>): SourceFiles {
    return new SourceFiles(new Map(Object.entries(record)));
  }

  /** Absolute path of `rel`, if present. */
  get(rel: string): string | undefined {
    return this.paths.get(rel);
  }

  names(): string[] {
    return [...this.paths.keys()];
  }

  async readText(rel: string): Promise<string> {
    const p = this.paths.get(rel);
    if (!p) throw new ConversionError(`${rel} not found`);
    return readFile(p, "utf8");
  }

  /** Parsed JSON of `rel`, or undefined when the file is absent. */
  async json<T = Record<string, unknown>>(rel: string): Promise<T | undefined> {
    if (!this.paths.has(rel)) return undefined;
    try {
      return JSON.parse(await this.readText(rel)) as T;
    } catch (e) {
      throw new ConversionError(`${rel}: ${(e as Error).message}`);
    }
  }
}

/** True when the files look like a Hugging Face checkpoint rather than GGUF files. */
export function isSafetensorsUpload(names: string[]): boolean {
  return names.some((n) => n.endsWith(".safetensors"));
}
