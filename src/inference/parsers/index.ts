// Output parsers: turn the text a model generates into content, thinking and tool calls (§9).
// All parsers are pure, per-response and streaming: `add(chunk)` returns only what became
// certain with that chunk (partial tags are held back), `finish()` releases the rest. The
// concatenated result never depends on how the text was chunked.
//
//   createOutputParser({ think, thinkingTags?, thinkingPrefilled?, toolFormat?, toolTag?, tools?,
//                        harmonyPrefill?, newToolCallId? }) → { add(chunk), finish() } of ParsedOutput
//     ParsedOutput = { content, thinking, toolCalls: ToolCall[] }; each call arrives whole, with
//     id `call_xxxxxxxx` and function.index counting from 0. Thinking is split only when `think`
//     is truthy and tags are given; tool calls only when `tools` is non-empty. Harmony (gpt-oss)
//     always splits its channels: analysis → thinking, final/commentary → content.
//   detectToolFormat(templateText) → "generic" | "hermes" | "llama3" | "mistral" | "harmony"
//   formatSpecialTokens(format, toolTag?) → marker tokens the runner must detokenize as text
//   Tags come from the template layer (inferThinkingTags / inferToolCallTag) as plain values;
//   DEFAULT_THINKING_TAGS is `<think>`/`</think>`.
//
// The individual parsers are exported for callers that need one stage alone.

export type { ParsedOutput, StreamParser, ThinkingTags } from "./types.js";
export { DEFAULT_THINKING_TAGS, emptyOutput } from "./types.js";
export { createOutputParser, type OutputParser, type OutputParserOptions } from "./output-parser.js";
export { detectToolFormat, formatSpecialTokens, type ToolFormat } from "./detect.js";
export { ThinkingParser, type ThinkingOutput, type ThinkingParserOptions } from "./thinking.js";
export { GenericToolParser } from "./generic-tools.js";
export { HermesToolParser } from "./hermes.js";
export { Llama3ToolParser } from "./llama3.js";
export { MistralToolParser } from "./mistral.js";
export { HarmonyParser, parseHarmonyHeader, type HarmonyHeader, type HarmonyParserOptions } from "./harmony.js";
export { HarmonyToolNames, harmonySafeName } from "./harmony-names.js";
export { newToolCallId, ToolCallFactory } from "./tool-calls.js";
