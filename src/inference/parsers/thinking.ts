// Splits a response into thinking and content around a pair of tags (Ollama's `thinking/`, §9).
// Output is independent of how the text is chunked: whitespace at the end of thinking and any
// possible start of the closing tag are held back until the next chunk decides what they are.

import { suffixOverlap, trailingSpaceLength } from "./text-scan.js";
import type { ThinkingTags } from "./types.js";

type State = "lookingForOpen" | "afterOpen" | "thinking" | "afterClose" | "content";

export interface ThinkingOutput {
  thinking: string;
  content: string;
}

export interface ThinkingParserOptions {
  /** The prompt already ended with the opening tag, so the output starts inside thinking. */
  prefilled?: boolean;
}

export class ThinkingParser {
  private state: State;
  private buf = "";

  constructor(
    private readonly tags: ThinkingTags,
    options: ThinkingParserOptions = {},
  ) {
    if (!tags.open || !tags.close) throw new Error("thinking tags must be non-empty");
    this.state = options.prefilled ? "afterOpen" : "lookingForOpen";
  }

  add(chunk: string): ThinkingOutput {
    this.buf += chunk;
    const out: ThinkingOutput = { thinking: "", content: "" };
    for (;;) {
      switch (this.state) {
        case "lookingForOpen": {
          const trimmed = this.buf.trimStart();
          if (trimmed.startsWith(this.tags.open)) {
            this.buf = trimmed.slice(this.tags.open.length);
            this.state = "afterOpen";
            continue;
          }
          // Only whitespace or the start of the tag so far: not decidable yet.
          if (this.tags.open.startsWith(trimmed)) return out;
          out.content += this.buf;
          this.buf = "";
          this.state = "content";
          return out;
        }
        case "afterOpen":
        case "afterClose": {
          this.buf = this.buf.trimStart();
          if (this.buf === "") return out;
          this.state = this.state === "afterOpen" ? "thinking" : "content";
          continue;
        }
        case "thinking": {
          const idx = this.buf.indexOf(this.tags.close);
          if (idx >= 0) {
            out.thinking += this.buf.slice(0, idx).trimEnd();
            this.buf = this.buf.slice(idx + this.tags.close.length);
            this.state = "afterClose";
            continue;
          }
          const held = suffixOverlap(this.buf, this.tags.close);
          const before = this.buf.slice(0, this.buf.length - held);
          const emit = before.slice(0, before.length - trailingSpaceLength(before));
          out.thinking += emit;
          this.buf = this.buf.slice(emit.length);
          return out;
        }
        case "content":
          out.content += this.buf;
          this.buf = "";
          return out;
      }
    }
  }

  finish(): ThinkingOutput {
    const out: ThinkingOutput = { thinking: "", content: "" };
    const rest = this.buf;
    this.buf = "";
    // Unterminated thinking keeps what it held back: it was text, not a tag.
    if (this.state === "thinking") out.thinking = rest;
    else if (this.state === "lookingForOpen" || this.state === "content") out.content = rest;
    this.state = "content";
    return out;
  }
}
