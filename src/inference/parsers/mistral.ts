// Mistral tool calls. Older models: `[TOOL_CALLS][{"name": …, "arguments": {…}}, …]`; newer ones
// (Small 3.2, Devstral, Ministral 3): `[TOOL_CALLS]name[ARGS]{…}`, optionally with
// `[CALL_ID]id` before `[ARGS]`, one `[TOOL_CALLS]` per call. Unparseable calls become content.

import type { ToolCall } from "../../api/types.js";
import { ContentSplitter } from "./content-split.js";
import { balancedEnd, isPlainObject, tryParseJson } from "./text-scan.js";
import { namedCall, ToolCallFactory } from "./tool-calls.js";
import { emptyOutput, type ParsedOutput, type StreamParser } from "./types.js";

const TAG = "[TOOL_CALLS]";
const ARGS = "[ARGS]";
const CALL_ID = "[CALL_ID]";

type Step = { calls: ToolCall[]; consumed: number } | "wait" | "invalid";

export class MistralToolParser implements StreamParser {
  private inCall = false;
  private buf = "";
  private gap = "";
  private readonly prose = new ContentSplitter(TAG);

  constructor(private readonly calls = new ToolCallFactory()) {}

  add(chunk: string): ParsedOutput {
    this.buf += chunk;
    return this.run();
  }

  finish(): ParsedOutput {
    const out = this.run();
    out.content += this.inCall ? this.gap + TAG + this.buf : this.prose.flush(this.buf);
    this.buf = "";
    this.inCall = false;
    return out;
  }

  private run(): ParsedOutput {
    const out = emptyOutput();
    for (;;) {
      if (!this.inCall) {
        const { emit, found, rest, gap } = this.prose.split(this.buf);
        out.content += emit;
        this.buf = rest;
        if (!found) return out;
        this.inCall = true;
        this.gap = gap;
      }
      const step = this.parseCalls();
      // An unfinished call at the end is flushed as content by finish().
      if (step === "wait") return out;
      this.inCall = false;
      if (step === "invalid") {
        // Not a call after all: the tag was prose, and what follows it is scanned as prose.
        out.content += this.gap + TAG;
        continue;
      }
      out.toolCalls.push(...step.calls);
      this.prose.afterCall = true;
      this.buf = this.buf.slice(step.consumed);
    }
  }

  private parseCalls(): Step {
    const lead = this.buf.length - this.buf.trimStart().length;
    if (lead === this.buf.length) return "wait";
    const first = this.buf[lead];
    if (first === "[" || first === "{") {
      const end = balancedEnd(this.buf, lead);
      if (end < 0) return "wait";
      const data = tryParseJson(this.buf.slice(lead, end));
      const items = Array.isArray(data) ? data : [data];
      const parsed = items.map(namedCall);
      if (parsed.length === 0 || parsed.some((p) => p === undefined)) return "invalid";
      return { calls: parsed.map((p) => this.calls.make(p!.name, p!.args)), consumed: end };
    }
    const argsAt = this.buf.indexOf(ARGS);
    if (argsAt < 0) {
      // Name and call id are short and unspaced; prose without [ARGS] is not a call.
      const pending = this.buf.slice(lead);
      return !/\s/.test(pending) && pending.length <= 256 ? "wait" : "invalid";
    }
    const header = this.buf.slice(lead, argsAt);
    const name = header.split(CALL_ID)[0].trim();
    if (name === "" || /\s/.test(name)) return "invalid";
    const objAt = argsAt + ARGS.length;
    const rest = this.buf.slice(objAt);
    const pad = rest.length - rest.trimStart().length;
    if (pad === rest.length) return "wait";
    if (rest[pad] !== "{") return "invalid";
    const end = balancedEnd(this.buf, objAt + pad);
    if (end < 0) return "wait";
    const args = tryParseJson(this.buf.slice(objAt + pad, end));
    if (!isPlainObject(args)) return "invalid";
    return { calls: [this.calls.make(name, args)], consumed: end };
  }
}
