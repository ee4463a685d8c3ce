// Ollama's generic tool-call parser (`tools/tools.go`, §9) for Go-template models: a start tag
// (from the template, default `{`), then tool names located in the buffered text and the JSON
// object that carries their arguments.

import type { Tool } from "../../api/types.js";
import { balancedEnd, isBlank, isPlainObject, suffixOverlap, tryParseJson } from "./text-scan.js";
import { asArguments, ToolCallFactory } from "./tool-calls.js";
import { emptyOutput, type ParsedOutput, type StreamParser } from "./types.js";

type State = "lookingForTag" | "calling" | "done";

export class GenericToolParser implements StreamParser {
  private state: State = "lookingForTag";
  private buf = "";
  private readonly names: string[];
  private readonly bracketTag: boolean;

  constructor(
    tools: readonly Tool[],
    private readonly tag = "{",
    private readonly calls = new ToolCallFactory(),
  ) {
    if (!tag) this.tag = "{";
    this.names = tools.map((t) => t.function.name).filter((n) => n !== "");
    this.bracketTag = this.tag === "{" || this.tag === "[";
  }

  add(chunk: string): ParsedOutput {
    const out = emptyOutput();
    if (this.state === "done") {
      out.content = chunk;
      return out;
    }
    this.buf += chunk;
    if (this.state === "lookingForTag") {
      const found = this.buf.indexOf(this.tag);
      const at = found >= 0 ? found : this.buf.length - suffixOverlap(this.buf, this.tag);
      out.content = this.buf.slice(0, at);
      this.buf = this.buf.slice(at);
      // With a bare `{`/`[` tag, prose before it means the answer is not a tool call.
      if (this.bracketTag && !isBlank(out.content)) {
        out.content += this.buf;
        this.buf = "";
        this.state = "done";
        return out;
      }
      if (found < 0) return out;
      this.state = "calling";
    }
    this.extract(out, false);
    return out;
  }

  finish(): ParsedOutput {
    const out = emptyOutput();
    if (this.state === "calling") this.extract(out, true);
    // Leftover after calls is the format's closing syntax; without any call it was plain text.
    if (this.calls.count === 0) out.content += this.buf;
    this.buf = "";
    this.state = "done";
    return out;
  }

  /**
   * Takes every call the buffer holds. With a `{`/`[` tag, once the tag's bracket group closes
   * the call must lie inside it, or the text was never a call (Ollama's `done`). Looking only
   * inside the closed group keeps the result independent of where chunks were cut.
   */
  private extract(out: ParsedOutput, final: boolean): void {
    while (this.state === "calling") {
      const groupEnd = this.bracketTag ? closedGroupEnd(this.buf, this.tag) : -1;
      const view = groupEnd >= 0 ? this.buf.slice(0, groupEnd) : this.buf;
      const tool = this.findTool(view, final || groupEnd >= 0);
      const found = tool && this.findArguments(view, tool.name);
      if (!tool || !found) {
        if (groupEnd >= 0) {
          out.content += this.buf;
          this.buf = "";
          this.state = "done";
        }
        return;
      }
      out.toolCalls.push(this.calls.make(tool.name, found.args));
      this.buf = this.buf.slice(Math.max(tool.end, found.end));
    }
  }

  /** Earliest tool name in the buffer, longest on ties; waits while the tail could still grow into a name. */
  private findTool(buf: string, final: boolean): { name: string; end: number } | undefined {
    if (!final) {
      for (const name of this.names) {
        const tail = Math.min(buf.length, name.length - 1);
        for (let n = 1; n <= tail; n++) {
          if (name.startsWith(buf.slice(buf.length - n))) return undefined;
        }
      }
    }
    let best: { name: string; start: number } | undefined;
    for (const name of this.names) {
      const pos = buf.indexOf(name);
      if (pos < 0) continue;
      if (!best || pos < best.start || (pos === best.start && name.length > best.name.length)) {
        best = { name, start: pos };
      }
    }
    return best && { name: best.name, end: best.start + best.name.length };
  }

  /** First balanced, valid JSON object in the buffer and the arguments it carries for `name`. */
  private findArguments(buf: string, name: string): { args: Record<string, unknown>; end: number } | undefined {
    let from = 0;
    for (;;) {
      const start = buf.indexOf("{", from);
      if (start < 0) return undefined;
      const end = balancedEnd(buf, start);
      if (end < 0) return undefined;
      const data = tryParseJson(buf.slice(start, end));
      if (isPlainObject(data)) return { args: argumentsIn(data, name) ?? data, end };
      from = start + 1;
    }
  }
}

/** Where a call's arguments sit inside a parsed object (Ollama's `findObject`). */
function argumentsIn(obj: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  if ("name" in obj) return asArguments(obj.arguments) ?? asArguments(obj.parameters) ?? {};
  const direct = asArguments(obj[name]);
  if (direct) return direct;
  for (const v of Object.values(obj)) {
    const children = Array.isArray(v) ? v : [v];
    for (const child of children) {
      if (!isPlainObject(child)) continue;
      const found = argumentsIn(child, name);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * End (exclusive) of the first group of the tag's bracket pair that balances back to zero,
 * counted from the buffer start like Ollama's `done`; -1 while none has. Strings are skipped.
 */
function closedGroupEnd(s: string, open: string): number {
  const close = open === "{" ? "}" : "]";
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  return -1;
}
