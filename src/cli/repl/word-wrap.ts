// Streaming word wrap for model output (Ollama's displayResponse): text arrives in token-sized pieces,
// so a word is held back until the whitespace after it shows whether it still fits on the line.

/** Code points, a close-enough stand-in for terminal cell width in model output. */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export class WordWrapper {
  private col = 0;
  private word = "";
  private spaces = "";

  /** `limit` ≤ 0 disables wrapping: text passes through untouched. */
  constructor(private readonly limit: number) {}

  push(text: string): string {
    if (this.limit <= 0) return text;
    let out = "";
    for (const ch of text) {
      if (ch === "\n") {
        out += this.emitWord() + "\n";
        this.spaces = "";
        this.col = 0;
      } else if (ch === " " || ch === "\t") {
        out += this.emitWord();
        this.spaces += ch;
      } else {
        this.word += ch;
      }
    }
    return out;
  }

  /** Emits whatever is held back (end of the response). */
  flush(): string {
    if (this.limit <= 0) return "";
    const out = this.emitWord() + this.spaces;
    this.col += width(this.spaces);
    this.spaces = "";
    return out;
  }

  private emitWord(): string {
    if (!this.word) return "";
    let word = this.word;
    this.word = "";
    let out = "";
    const spaceW = width(this.spaces);
    if (this.col > 0 && this.col + spaceW + width(word) > this.limit) {
      // The gap before a wrapped word is dropped rather than left dangling at the line end.
      out += "\n";
      this.col = 0;
    } else {
      out += this.spaces;
      this.col += spaceW;
    }
    this.spaces = "";
    // A word longer than a whole line is broken hard at the limit.
    while (width(word) > this.limit - this.col) {
      const chars = [...word];
      const room = this.limit - this.col;
      out += chars.slice(0, room).join("") + "\n";
      word = chars.slice(room).join("");
      this.col = 0;
    }
    out += word;
    this.col += width(word);
    return out;
  }
}
