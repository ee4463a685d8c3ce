// Progress display for pull/push/create (ollama-spec §3 "Progress rendering"): a bar per digest with
// percentage, bytes, rate and ETA; spinners for status lines. On a terminal the block is redrawn in
// place; piped output gets plain lines without escape codes.

import type { ProgressResponse } from "../api/types.js";
import { humanBytes } from "../util/bytes.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

interface Bar {
  status: string;
  total: number;
  completed: number;
  started: number;
  /** Recent (time, completed) samples for the rate. */
  samples: [number, number][];
}

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h ? `${h}h${m}m${s}s` : m ? `${m}m${s}s` : `${s}s`;
}

export class Progress {
  private lines: ({ kind: "status"; text: string; done: boolean } | { kind: "bar"; key: string })[] = [];
  private bars = new Map<string, Bar>();
  private drawn = 0;
  private frame = 0;
  private timer?: NodeJS.Timeout;
  private plainLast = new Map<string, string>();

  constructor(
    private readonly out: NodeJS.WriteStream | NodeJS.WritableStream,
    private readonly tty = Boolean((out as NodeJS.WriteStream).isTTY),
  ) {
    if (this.tty) this.timer = setInterval(() => this.draw(), 100);
  }

  update(p: ProgressResponse): void {
    if (p.digest && p.total) {
      let bar = this.bars.get(p.digest);
      if (!bar) {
        bar = { status: p.status, total: p.total, completed: 0, started: Date.now(), samples: [] };
        this.bars.set(p.digest, bar);
        this.finishSpinner();
        this.lines.push({ kind: "bar", key: p.digest });
      }
      bar.status = p.status;
      bar.total = p.total;
      bar.completed = p.completed ?? bar.completed;
      bar.samples.push([Date.now(), bar.completed]);
      if (bar.samples.length > 20) bar.samples.shift();
      if (!this.tty) this.plainBar(p.digest, bar);
    } else {
      const last = this.lines[this.lines.length - 1];
      if (last?.kind === "status" && last.text === p.status) return;
      this.finishSpinner();
      this.lines.push({ kind: "status", text: p.status, done: false });
      if (!this.tty) this.out.write(p.status + "\n");
    }
    if (this.tty) this.draw();
  }

  private finishSpinner(): void {
    const last = this.lines[this.lines.length - 1];
    if (last?.kind === "status") last.done = true;
  }

  private plainBar(key: string, bar: Bar): void {
    // Piped output: one line when a layer starts and one when it completes.
    const state = bar.completed >= bar.total ? "done" : "start";
    if (this.plainLast.get(key) === state) return;
    this.plainLast.set(key, state);
    if (state === "done") this.out.write(`${bar.status}: 100% ${humanBytes(bar.total)}\n`);
    else this.out.write(`${bar.status}: ${humanBytes(bar.total)}\n`);
  }

  private renderBar(bar: Bar, width: number): string {
    const pct = bar.total ? Math.min(100, Math.floor((bar.completed / bar.total) * 100)) : 0;
    const [t0, c0] = bar.samples[0] ?? [bar.started, 0];
    const [t1, c1] = bar.samples[bar.samples.length - 1] ?? [Date.now(), bar.completed];
    const rate = t1 > t0 ? ((c1 - c0) / (t1 - t0)) * 1000 : 0;
    const done = bar.completed >= bar.total;
    const stats = `${humanBytes(bar.completed)}/${humanBytes(bar.total)}` + (done ? "" : `  ${humanBytes(Math.round(rate))}/s  ${rate > 0 ? formatEta((bar.total - bar.completed) / rate) : ""}`);
    const prefix = `${bar.status}: ${String(pct).padStart(3)}% `;
    const barWidth = Math.max(10, Math.min(50, width - prefix.length - stats.length - 4));
    const filled = Math.round((pct / 100) * barWidth);
    return `${prefix}▕${"█".repeat(filled)}${" ".repeat(barWidth - filled)}▏ ${stats}`;
  }

  private draw(): void {
    const width = (this.out as NodeJS.WriteStream).columns ?? 100;
    this.frame = (this.frame + 1) % FRAMES.length;
    const text = this.lines.map((l) => {
      if (l.kind === "status") return l.done ? l.text : `${l.text} ${FRAMES[this.frame]}`;
      return this.renderBar(this.bars.get(l.key)!, width);
    });
    let s = "\x1b[?25l";
    if (this.drawn > 0) s += `\x1b[${this.drawn}A`;
    s += text.map((t) => `\r\x1b[2K${t}\n`).join("");
    s += "\x1b[?25h";
    this.drawn = text.length;
    this.out.write(s);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.finishSpinner();
    if (this.tty) this.draw();
  }
}
