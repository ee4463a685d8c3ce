// The composition the chat/generate handlers use: thinking split first, then tool calls parsed
// out of what remains as content. Harmony carries both in its own framing, so it runs alone.

import type { Think, Tool } from "../../api/types.js";
import type { ToolFormat } from "./detect.js";
import { GenericToolParser } from "./generic-tools.js";
import { HarmonyParser } from "./harmony.js";
import { HermesToolParser } from "./hermes.js";
import { Llama3ToolParser } from "./llama3.js";
import { MistralToolParser } from "./mistral.js";
import { ThinkingParser } from "./thinking.js";
import { ToolCallFactory } from "./tool-calls.js";
import { appendOutput, emptyOutput, type ParsedOutput, type StreamParser, type ThinkingTags } from "./types.js";

export interface OutputParserOptions {
  /** Request `think`; thinking is split out only when truthy and `thinkingTags` are given. */
  think?: Think;
  thinkingTags?: ThinkingTags;
  /** The rendered prompt already ends with the opening thinking tag. */
  thinkingPrefilled?: boolean;
  toolFormat?: ToolFormat;
  /** Start tag for the generic format (from the template; default `{`). */
  toolTag?: string;
  /** Request tools; tool calls are parsed only when non-empty (harmony parses its framing always). */
  tools?: readonly Tool[];
  /** Harmony: continue a prefilled assistant message on this channel. */
  harmonyPrefill?: "analysis" | "final";
  /** Id source for emitted calls (tests); default `call_` + 8 random [a-z0-9]. */
  newToolCallId?: () => string;
}

export interface OutputParser {
  add(chunk: string): ParsedOutput;
  finish(): ParsedOutput;
}

export function createOutputParser(options: OutputParserOptions): OutputParser {
  const tools = options.tools ?? [];
  if (options.toolFormat === "harmony") {
    return new HarmonyParser(tools, { prefillChannel: options.harmonyPrefill, newId: options.newToolCallId });
  }
  const thinking =
    options.think && options.thinkingTags
      ? new ThinkingParser(options.thinkingTags, { prefilled: options.thinkingPrefilled })
      : undefined;
  const toolParser = tools.length > 0 ? createToolParser(options, tools) : undefined;

  const toContent = (text: string, out: ParsedOutput): void => {
    if (text === "") return;
    if (toolParser) appendOutput(out, toolParser.add(text));
    else out.content += text;
  };

  return {
    add(chunk: string): ParsedOutput {
      const out = emptyOutput();
      if (thinking) {
        const t = thinking.add(chunk);
        out.thinking += t.thinking;
        toContent(t.content, out);
      } else {
        toContent(chunk, out);
      }
      return out;
    },
    finish(): ParsedOutput {
      const out = emptyOutput();
      if (thinking) {
        const t = thinking.finish();
        out.thinking += t.thinking;
        toContent(t.content, out);
      }
      if (toolParser) appendOutput(out, toolParser.finish());
      return out;
    },
  };
}

function createToolParser(options: OutputParserOptions, tools: readonly Tool[]): StreamParser {
  const calls = new ToolCallFactory(options.newToolCallId);
  switch (options.toolFormat ?? "generic") {
    case "hermes":
      return new HermesToolParser(tools, calls);
    case "llama3":
      return new Llama3ToolParser(tools, calls);
    case "mistral":
      return new MistralToolParser(calls);
    default:
      return new GenericToolParser(tools, options.toolTag || "{", calls);
  }
}
