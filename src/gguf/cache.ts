// GGUF headers of model blobs, read once per blob digest: blobs are immutable, so listing 500 models
// that share weights parses each file once, and `show`/`chat` reuse the parse.

import { type GgufFile, readGguf } from "./reader.js";

export class GgufCache {
  private cache = new Map<string, Promise<GgufFile>>();
  constructor(private readonly max = 256) {}

  read(path: string): Promise<GgufFile> {
    let p = this.cache.get(path);
    if (!p) {
      p = readGguf(path, { validate: false });
      p.catch(() => this.cache.delete(path));
      this.cache.set(path, p);
      if (this.cache.size > this.max) this.cache.delete(this.cache.keys().next().value!);
    }
    return p;
  }
}
