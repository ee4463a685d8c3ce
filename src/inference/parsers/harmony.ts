// gpt-oss "harmony" output (Ollama's `harmony/harmonyparser.go`, §9). Messages are
// `<|start|>{header}<|message|>{body}<|end|>` (or `<|call|>`/`<|return|>`); the header holds the
// role, `<|channel|>analysis|commentary|final` and an optional `to=` recipient. analysis →
// thinking, final/commentary → content, a `functions.<name>` recipient → one tool call whose
// JSON body is parsed when its message ends. The prompt ends with `<|start|>assistant`, so the
// output begins inside a header.

import type { Tool } from "../../api/types.js";
import { HarmonyToolNames } from "./harmony-names.js";
import { isPlainObject, suffixOverlapAny, tryParseJson } from "./text-scan.js";
import { ToolCallFactory } from "./tool-calls.js";
import { emptyOutput, type ParsedOutput, type StreamParser } from "./types.js";

const START = "<|start|>";
const CHANNEL = "<|channel|>";
const MESSAGE = "<|message|>";
const CONSTRAIN = "<|constrain|>";
const ENDS = ["<|end|>", "<|call|>", "<|return|>"];
const BODY_STOPS = [...ENDS, START];
const BETWEEN_STARTS = [START, CHANNEL];

export interface HarmonyHeader {
  role: string;
  channel: string;
  recipient: string;
}

/** Parses a header such as `assistant<|channel|>commentary to=functions.f <|constrain|>json`. */
export function parseHarmonyHeader(raw: string): HarmonyHeader {
  let text = raw.replace(CONSTRAIN, ` ${CONSTRAIN}`).trim();
  let channel = "";
  const c = text.indexOf(CHANNEL);
  if (c >= 0) {
    const after = text.slice(c + CHANNEL.length);
    const m = /^\S*/.exec(after)![0];
    channel = m;
    text = (text.slice(0, c) + " " + after.slice(m.length)).trim();
  }
  const tokens = text.split(/\s+/).filter((t) => t !== "");
  let role = tokens.shift() ?? "";
  let recipient = "";
  if (tokens[0]?.startsWith("to=")) recipient = tokens.shift()!.slice(3);
  if (role.startsWith("to=")) {
    recipient = role.slice(3);
    role = "";
  }
  return { role, channel, recipient };
}

type State = "header" | "body" | "between";
type Sink = "thinking" | "content" | "tool";

export interface HarmonyParserOptions {
  /** Continue a prefilled assistant message on this channel instead of starting in a header. */
  prefillChannel?: "analysis" | "final";
  newId?: () => string;
}

export class HarmonyParser implements StreamParser {
  private state: State = "header";
  private buf = "";
  private header = "assistant";
  private sink: Sink = "content";
  private recipient = "";
  private toolBody = "";
  private strayText = false;
  private readonly names: HarmonyToolNames;
  private readonly calls: ToolCallFactory;

  constructor(tools: readonly Tool[], options: HarmonyParserOptions = {}) {
    this.names = new HarmonyToolNames(tools.map((t) => t.function.name));
    this.calls = new ToolCallFactory(options.newId);
    if (options.prefillChannel) {
      this.state = "body";
      this.sink = options.prefillChannel === "analysis" ? "thinking" : "content";
    }
  }

  add(chunk: string): ParsedOutput {
    this.buf += chunk;
    const out = emptyOutput();
    for (;;) {
      if (this.state === "header") {
        const idx = this.buf.indexOf(MESSAGE);
        if (idx < 0) return out;
        this.openMessage(this.header + this.buf.slice(0, idx));
        this.buf = this.buf.slice(idx + MESSAGE.length);
      } else if (this.state === "body") {
        const stop = firstOf(this.buf, BODY_STOPS);
        if (!stop) {
          const keep = this.buf.length - suffixOverlapAny(this.buf, BODY_STOPS);
          this.write(out, this.buf.slice(0, keep));
          this.buf = this.buf.slice(keep);
          return out;
        }
        this.write(out, this.buf.slice(0, stop.at));
        this.closeMessage(out);
        this.buf = this.buf.slice(stop.at + (stop.tag === START ? 0 : stop.tag.length));
        this.state = "between";
      } else {
        // Stray text outside any message is rare; it stays visible, minus the whitespace that
        // merely separates messages.
        if (!this.strayText) this.buf = this.buf.trimStart();
        const next = firstOf(this.buf, BETWEEN_STARTS);
        const upto = next ? next.at : this.buf.length - suffixOverlapAny(this.buf, BETWEEN_STARTS);
        if (upto > 0) this.strayText = true;
        out.content += this.buf.slice(0, upto);
        if (!next) {
          this.buf = this.buf.slice(upto);
          return out;
        }
        // A header without `<|start|>` continues the assistant's turn.
        this.header = next.tag === START ? "" : `assistant${CHANNEL}`;
        this.buf = this.buf.slice(next.at + next.tag.length);
        this.state = "header";
        this.strayText = false;
      }
    }
  }

  finish(): ParsedOutput {
    const out = emptyOutput();
    if (this.state === "body") {
      this.write(out, this.buf);
      this.closeMessage(out);
    } else if (this.state === "between") {
      out.content += this.strayText ? this.buf : this.buf.trimStart();
    }
    this.buf = "";
    this.state = "between";
    return out;
  }

  private openMessage(rawHeader: string): void {
    const h = parseHarmonyHeader(rawHeader);
    this.state = "body";
    this.recipient = h.recipient;
    this.toolBody = "";
    if (h.recipient !== "" && h.recipient !== "assistant" && h.recipient !== "user") this.sink = "tool";
    else this.sink = h.channel === "analysis" ? "thinking" : "content";
  }

  private write(out: ParsedOutput, text: string): void {
    if (this.sink === "tool") this.toolBody += text;
    else out[this.sink] += text;
  }

  private closeMessage(out: ParsedOutput): void {
    if (this.sink !== "tool") return;
    const args = this.toolBody.trim() === "" ? {} : tryParseJson(this.toolBody);
    const target = this.recipient.startsWith("functions.")
      ? this.names.original(this.recipient.slice("functions.".length))
      : this.recipient;
    if (isPlainObject(args)) out.toolCalls.push(this.calls.make(target, args));
    else out.content += this.toolBody; // unparseable arguments stay visible instead of vanishing
    this.sink = "content";
    this.toolBody = "";
  }
}

function firstOf(s: string, tags: readonly string[]): { at: number; tag: string } | undefined {
  let best: { at: number; tag: string } | undefined;
  for (const tag of tags) {
    const at = s.indexOf(tag);
    if (at >= 0 && (!best || at < best.at)) best = { at, tag };
  }
  return best;
}
