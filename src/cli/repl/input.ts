// Line input for the REPL on node:readline: prompts, a dim placeholder on an empty line, history kept
// in a file, and Ctrl+C routed either to the line being edited or to a running generation.

import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { type Interface, createInterface } from "node:readline";

export type ReadResult = { kind: "line"; text: string } | { kind: "interrupt"; text: string } | { kind: "eof" };

export interface InputOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** File to load history from and append entries to; undefined = no history file. */
  historyFile?: string;
}

const DIM = "\x1b[2m";
const RESET = "\x1b[0m";

export function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
  } catch {
    return [];
  }
}

export class InputReader {
  /** Off after `/set nohistory`: entries are no longer written to the file. */
  saveHistory: boolean;
  private readonly rl: Interface;
  private pending?: (r: ReadResult) => void;
  private interruptHandler?: () => void;
  private closed = false;
  private placeholder = "";
  private placeholderShown = false;

  constructor(private readonly opts: InputOptions) {
    this.saveHistory = opts.historyFile !== undefined;
    const history = opts.historyFile ? loadHistory(opts.historyFile).reverse() : [];
    this.rl = createInterface({ input: opts.input, output: opts.output, terminal: true, history, historySize: 1000 });
    this.rl.on("line", (line) => this.onLine(line));
    this.rl.on("SIGINT", () => this.onInterrupt());
    this.rl.on("close", () => {
      this.closed = true;
      this.settle({ kind: "eof" });
    });
    // Registered after readline's own keypress listener, so it sees the line as already edited.
    opts.input.on("keypress", () => this.updatePlaceholder());
  }

  /** Reads one line. `placeholder` is shown dimmed while the line is empty. */
  read(prompt: string, placeholder = ""): Promise<ReadResult> {
    if (this.closed) return Promise.resolve({ kind: "eof" });
    return new Promise((resolve) => {
      this.pending = resolve;
      this.placeholder = placeholder;
      this.placeholderShown = false;
      this.rl.setPrompt(prompt);
      this.rl.prompt();
      this.updatePlaceholder();
    });
  }

  /** While set, Ctrl+C calls `handler` (cancel a generation) instead of interrupting a line. */
  onInterruptDuring(handler: (() => void) | undefined): void {
    this.interruptHandler = handler;
  }

  close(): void {
    this.rl.close();
  }

  private settle(r: ReadResult): void {
    const resolve = this.pending;
    this.pending = undefined;
    this.placeholderShown = false;
    resolve?.(r);
  }

  private onLine(line: string): void {
    // Lines typed while the model is answering are dropped, as they would interleave with the output.
    if (!this.pending) return;
    if (this.saveHistory && this.opts.historyFile && line.trim()) {
      try {
        mkdirSync(dirname(this.opts.historyFile), { recursive: true });
        appendFileSync(this.opts.historyFile, line + "\n");
      } catch {
        // History is a convenience; an unwritable home must not break the chat.
      }
    }
    this.settle({ kind: "line", text: line });
  }

  private onInterrupt(): void {
    if (this.interruptHandler) {
      this.interruptHandler();
      return;
    }
    if (!this.pending) return;
    const state = this.rl as unknown as { line: string; cursor: number };
    const text = state.line;
    state.line = "";
    state.cursor = 0;
    this.opts.output.write((this.placeholderShown ? "\x1b[K" : "") + "\n");
    this.settle({ kind: "interrupt", text });
  }

  private updatePlaceholder(): void {
    if (!this.pending || !this.placeholder) return;
    const empty = this.rl.line === "";
    if (empty && !this.placeholderShown) {
      this.opts.output.write(`${DIM}${this.placeholder}${RESET}\x1b[${this.placeholder.length}D`);
      this.placeholderShown = true;
    } else if (!empty && this.placeholderShown) {
      this.opts.output.write("\x1b[K");
      this.placeholderShown = false;
    }
  }
}
