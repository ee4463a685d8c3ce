// Shapes shared by every output parser. A parser is a per-response object: it is fed the model's
// text as it streams and returns, for each chunk, only what became certain with that chunk.

import type { ToolCall } from "../../api/types.js";

export interface ParsedOutput {
  content: string;
  thinking: string;
  toolCalls: ToolCall[];
}

export interface StreamParser {
  add(chunk: string): ParsedOutput;
  /** End of generation: releases everything held back. The parser must not be fed afterwards. */
  finish(): ParsedOutput;
}

export interface ThinkingTags {
  open: string;
  close: string;
}

export const DEFAULT_THINKING_TAGS: ThinkingTags = { open: "<think>", close: "</think>" };

export function emptyOutput(): ParsedOutput {
  return { content: "", thinking: "", toolCalls: [] };
}

/** Appends `b` onto `a` (mutating `a`) so stages can accumulate into one result. */
export function appendOutput(a: ParsedOutput, b: ParsedOutput): ParsedOutput {
  a.content += b.content;
  a.thinking += b.thinking;
  a.toolCalls.push(...b.toolCalls);
  return a;
}
