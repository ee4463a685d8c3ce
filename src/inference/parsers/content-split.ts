// Content-side half of the tagged tool formats (Hermes, Mistral): passes prose through until a
// call tag, holding back what could still be the start of the tag, and drops the whitespace
// that only separates prose from calls (before a tag, between and after calls).

import { suffixOverlap, trailingSpaceLength } from "./text-scan.js";

export class ContentSplitter {
  /** Set after a call: leading whitespace of the following prose is separator, not content. */
  afterCall = false;

  constructor(private readonly tag: string) {}

  /**
   * Splits `buf` at the tag. `found` tells whether the tag was seen; `emit` is certain content,
   * `rest` is what remains to buffer (text after the tag when found, else the held-back tail).
   * `gap` is the whitespace dropped before a found tag, for callers that find it was no call.
   */
  split(buf: string): { emit: string; found: boolean; rest: string; gap: string } {
    if (this.afterCall) {
      buf = buf.trimStart();
      if (buf === "") return { emit: "", found: false, rest: "", gap: "" };
    }
    const idx = buf.indexOf(this.tag);
    if (idx >= 0) {
      const before = buf.slice(0, idx);
      const emit = before.trimEnd();
      this.afterCall = false;
      return { emit, found: true, rest: buf.slice(idx + this.tag.length), gap: before.slice(emit.length) };
    }
    const held = suffixOverlap(buf, this.tag);
    const before = buf.slice(0, buf.length - held);
    const emit = before.slice(0, before.length - trailingSpaceLength(before));
    if (emit !== "") this.afterCall = false;
    return { emit, found: false, rest: buf.slice(emit.length), gap: "" };
  }

  /** Content left at the end of the response. */
  flush(buf: string): string {
    return this.afterCall ? buf.trimStart() : buf;
  }
}
