// Prints a streamed response: thinking framed by `Thinking...` / `...done thinking.` (grey on a
// terminal, plain text otherwise), then the content, both through the word wrapper.

import { WordWrapper } from "./word-wrap.js";

const GREY = "\x1b[38;5;245m";
const BOLD = "\x1b[1m";
const RESET = "\x1b[0m";

export interface RendererOptions {
  write: (s: string) => void;
  /** Wrap column; 0 = no wrapping. */
  wrapWidth: number;
  /** No escape codes (stdout is not a terminal). */
  plain: boolean;
  hideThinking: boolean;
}

export class ResponseRenderer {
  private wrap: WordWrapper;
  private thinkingOpen = false;
  private thinkingText = "";
  private thinkingDone = false;

  constructor(private readonly opts: RendererOptions) {
    this.wrap = new WordWrapper(opts.wrapWidth);
  }

  thinking(text: string): void {
    if (!text || this.opts.hideThinking) return;
    if (!this.thinkingOpen || this.thinkingDone) {
      // A model may think again after answering; each block gets its own frame.
      this.thinkingText = "";
      this.emit(this.opts.plain ? "Thinking...\n" : GREY + BOLD + "Thinking...\n" + RESET + GREY);
      this.thinkingOpen = true;
      this.thinkingDone = false;
    }
    this.thinkingText += text;
    this.emit(this.wrap.push(text));
  }

  content(text: string): void {
    if (!text) return;
    if (this.thinkingOpen && !this.thinkingDone) this.closeThinking();
    this.emit(this.wrap.push(text));
  }

  /** End of the stream: emit held-back text and leave the terminal colors as they were. */
  finish(): void {
    this.emit(this.wrap.flush());
    if (this.thinkingOpen && !this.thinkingDone && !this.opts.plain) this.emit(RESET);
  }

  private closeThinking(): void {
    let out = this.wrap.flush();
    if (!(this.thinkingText + out).endsWith("\n")) out += "\n";
    out += this.opts.plain ? "...done thinking.\n\n" : GREY + BOLD + "...done thinking.\n\n" + RESET;
    this.emit(out);
    this.thinkingDone = true;
    this.wrap = new WordWrapper(this.opts.wrapWidth);
  }

  private emit(s: string): void {
    if (s) this.opts.write(s);
  }
}

/** Ollama wraps a few columns short of the terminal edge. */
export function wrapWidthFor(columns: number | undefined, enabled: boolean): number {
  if (!enabled || !columns || columns < 10) return 0;
  return columns - 5;
}
