// Hermes/Qwen tool calls: `<tool_call>{"name": …, "arguments": {…}}</tool_call>`, and the
// Qwen3-Coder body `<function=name><parameter=key>value</parameter></function>` in the same tags.
// A block that does not parse is passed through verbatim as content.

import type { Tool, ToolCall } from "../../api/types.js";
import { ContentSplitter } from "./content-split.js";
import { tryParseJson } from "./text-scan.js";
import { coerceParameter, namedCall, ToolCallFactory } from "./tool-calls.js";
import { emptyOutput, type ParsedOutput, type StreamParser } from "./types.js";

const OPEN = "<tool_call>";
const CLOSE = "</tool_call>";

export class HermesToolParser implements StreamParser {
  private inCall = false;
  private buf = "";
  private gap = "";
  private readonly prose = new ContentSplitter(OPEN);

  constructor(
    private readonly tools: readonly Tool[],
    private readonly calls = new ToolCallFactory(),
  ) {}

  add(chunk: string): ParsedOutput {
    this.buf += chunk;
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
      const idx = this.buf.indexOf(CLOSE);
      if (idx < 0) return out;
      this.closeBlock(this.buf.slice(0, idx), CLOSE, out);
      this.buf = this.buf.slice(idx + CLOSE.length);
    }
  }

  finish(): ParsedOutput {
    const out = emptyOutput();
    if (this.inCall) this.closeBlock(this.buf, "", out);
    else out.content += this.prose.flush(this.buf);
    this.buf = "";
    return out;
  }

  private closeBlock(body: string, close: string, out: ParsedOutput): void {
    this.inCall = false;
    const calls = this.parseBody(body);
    if (calls) {
      out.toolCalls.push(...calls);
      this.prose.afterCall = true;
    } else {
      out.content += this.gap + OPEN + body + close;
    }
  }

  private parseBody(body: string): ToolCall[] | undefined {
    const text = body.trim();
    if (text.startsWith("<function=")) return this.parseXml(text);
    const data = tryParseJson(text);
    const items = Array.isArray(data) ? data : [data];
    const parsed = items.map(namedCall);
    if (parsed.length === 0 || parsed.some((p) => p === undefined)) return undefined;
    return parsed.map((p) => this.calls.make(p!.name, p!.args));
  }

  private parseXml(text: string): ToolCall[] | undefined {
    const fns = [...text.matchAll(/<function=([^>\n]+)>([\s\S]*?)(?:<\/function>|$)/g)];
    if (fns.length === 0) return undefined;
    return fns.map((fn) => {
      const name = fn[1].trim();
      const args: Record<string, unknown> = {};
      for (const p of fn[2].matchAll(/<parameter=([^>\n]+)>([\s\S]*?)(?:<\/parameter>|(?=<parameter=)|$)/g)) {
        const key = p[1].trim();
        const raw = p[2].replace(/^\n/, "").replace(/\n$/, "");
        args[key] = coerceParameter(this.tools, name, key, raw);
      }
      return this.calls.make(name, args);
    });
  }
}
