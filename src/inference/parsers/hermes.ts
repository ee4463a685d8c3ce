// Hermes/Qwen tool calls: `<tool_call>{"name": …, "arguments": {…}}</tool_call>`, and the
// Qwen3-Coder body `<function=name><parameter=key>value</parameter></function>` and the GLM body
// `name<arg_key>key</arg_key><arg_value>value</arg_value>` in the same tags. A block that does not
// parse is passed through verbatim as content.

import type { Tool, ToolCall } from "../../api/types.js";
import { ContentSplitter } from "./content-split.js";
import { suffixOverlap, tryParseJson } from "./text-scan.js";
import { coerceParameter, namedCall, parameterTypes, ToolCallFactory } from "./tool-calls.js";
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
    if (this.inCall) {
      // Generation may stop mid closing tag; the call inside is still whole.
      const cut = suffixOverlap(this.buf, CLOSE);
      this.closeBlock(this.buf.slice(0, this.buf.length - cut), this.buf.slice(this.buf.length - cut), out);
    }
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
    if (/^[^\s<{[]+\s*(<arg_key>|$)/.test(text)) return this.parseArgKeys(text);
    const data = tryParseJson(text);
    const items = Array.isArray(data) ? data : [data];
    const parsed = items.map(namedCall);
    if (parsed.length === 0 || parsed.some((p) => p === undefined)) return undefined;
    return parsed.map((p) => this.calls.make(p!.name, p!.args));
  }

  private parseArgKeys(text: string): ToolCall[] | undefined {
    const name = /^[^\s<]+/.exec(text)![0];
    const pairs = [...text.matchAll(/<arg_key>([\s\S]*?)<\/arg_key>\s*<arg_value>([\s\S]*?)<\/arg_value>/g)];
    // A lone word is only a call when it names a tool; otherwise it is prose in tags.
    if (pairs.length === 0 && !this.tools.some((t) => t.function.name === name)) return undefined;
    const args: Record<string, unknown> = {};
    for (const [, key, value] of pairs) {
      // GLM writes non-string values as JSON, so without a schema JSON is tried first.
      const k = key.trim();
      args[k] =
        parameterTypes(this.tools, name, k).length === 0
          ? (tryParseJson(value) ?? value)
          : coerceParameter(this.tools, name, k, value);
    }
    return [this.calls.make(name, args)];
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
