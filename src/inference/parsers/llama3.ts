// Llama 3.x tool calls: a bare JSON object `{"name": …, "parameters": {…}}` (several may follow
// one another, `;`-separated), optionally introduced by `<|python_tag|>` (3.1/3.3). After the
// optional tag this is exactly the generic parser with a `{` tag.

import type { Tool } from "../../api/types.js";
import { GenericToolParser } from "./generic-tools.js";
import { ToolCallFactory } from "./tool-calls.js";
import { appendOutput, emptyOutput, type ParsedOutput, type StreamParser } from "./types.js";

const PYTHON_TAG = "<|python_tag|>";

export class Llama3ToolParser implements StreamParser {
  private lead: string | undefined = "";
  private readonly inner: GenericToolParser;

  constructor(tools: readonly Tool[], calls = new ToolCallFactory()) {
    this.inner = new GenericToolParser(tools, "{", calls);
  }

  add(chunk: string): ParsedOutput {
    if (this.lead === undefined) return this.inner.add(chunk);
    this.lead += chunk;
    const trimmed = this.lead.trimStart();
    if (PYTHON_TAG.startsWith(trimmed)) return emptyOutput();
    const text = trimmed.startsWith(PYTHON_TAG) ? trimmed.slice(PYTHON_TAG.length) : this.lead;
    this.lead = undefined;
    return this.inner.add(text);
  }

  finish(): ParsedOutput {
    const out = emptyOutput();
    if (this.lead !== undefined) {
      const pending = this.lead;
      this.lead = undefined;
      appendOutput(out, this.inner.add(pending));
    }
    return appendOutput(out, this.inner.finish());
  }
}
