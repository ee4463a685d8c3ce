// GGUF headers of model blobs, read once per blob while remembered: blobs are immutable, so `show`
// and each request reuse the parse. A header with a large vocabulary holds megabytes of token
// strings, so only a few stay (listing keeps its own per-manifest results and needs none of them).

import { Lru } from "../util/lru.js";
import { type GgufFile, readGguf } from "./reader.js";

export class GgufCache {
  private readonly cache: Lru<string, Promise<GgufFile>>;

  constructor(max = 8) {
    this.cache = new Lru(max);
  }

  read(path: string): Promise<GgufFile> {
    return this.cache.getOrCreate(path, () => readGguf(path, { validate: false }));
  }
}
