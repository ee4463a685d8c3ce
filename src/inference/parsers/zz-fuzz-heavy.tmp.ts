import { createOutputParser, type OutputParserOptions } from "/work/main/src/inference/parsers/output-parser.js";
import { feed, randomChunks, seededRandom, sequentialIds } from "/work/main/src/inference/parsers/test-support.js";
import { TOOLS } from "/work/main/src/inference/parsers/tool-fixtures.js";
import { DEFAULT_THINKING_TAGS } from "/work/main/src/inference/parsers/types.js";
import { isDeepStrictEqual } from "node:util";
const FRAGMENTS = [
  "<think>", "</think>", "<thi", "</", "<", ">", " ", "\n", "\n\n", "Hello", "world", "{", "}", "[", "]",
  '"', "\\", '{"name": "get_time", "arguments": {"tz": "CET"}}', '{"get_weather": {"city": "P}"}}',
  "<tool_call>", "</tool_call>", "<tool_c", "[TOOL_CALLS]", "[ARGS]", "get_time", "get", "_weather", "[CALL_ID]",
  "[TOOL_CALLS]get[ARGS]{\"url\": \"x\"}", '[{"name": "get", "arguments": {}}]', "<|python_tag|>", "<|python",
  "<|start|>", "<|end|>", "<|call|>", "<|channel|>", "<|message|>", "analysis", "final", "<|return|>",
  "commentary to=functions.get_time ", "<|constrain|>json", "<|e", "<|", "; ", '"name"', ":", ",", '"arguments"',
  "<function=get_weather>", "<parameter=days>", "7", "</parameter>", "</function>", "[THINK]", "[/THINK]",
];
const CONFIGS: Array<[string, OutputParserOptions]> = [
  ["qwen3 hermes", { think: true, thinkingTags: DEFAULT_THINKING_TAGS, toolFormat: "hermes", tools: TOOLS }],
  ["prefilled generic", { think: true, thinkingTags: DEFAULT_THINKING_TAGS, thinkingPrefilled: true, tools: TOOLS }],
  ["generic <tool_call>", { toolFormat: "generic", toolTag: "<tool_call>", tools: TOOLS }],
  ["generic [", { toolFormat: "generic", toolTag: "[", tools: TOOLS }],
  ["generic [TOOL_CALLS]", { toolFormat: "generic", toolTag: "[TOOL_CALLS]", tools: TOOLS }],
  ["llama3", { toolFormat: "llama3", tools: TOOLS }],
  ["mistral", { think: true, thinkingTags: { open: "[THINK]", close: "[/THINK]" }, toolFormat: "mistral", tools: TOOLS }],
  ["harmony", { toolFormat: "harmony", tools: TOOLS }],
  ["harmony prefill", { toolFormat: "harmony", tools: TOOLS, harmonyPrefill: "analysis" }],
];
let fails = 0;
for (const [name, options] of CONFIGS) {
  const rand = seededRandom(Number(process.argv[2] ?? 1) + name.length);
  for (let round = 0; round < 4000 && fails < 3; round++) {
    const n = 1 + Math.floor(rand() * 20);
    let text = "";
    for (let i = 0; i < n; i++) text += FRAGMENTS[Math.floor(rand() * FRAGMENTS.length)];
    const run = (chunks: string[]) => feed(createOutputParser({ ...options, newToolCallId: sequentialIds() }), chunks);
    const whole = run([text]);
    for (let k = 0; k < 5; k++) {
      const chunks = randomChunks(text, rand, 1 + Math.floor(rand() * 6));
      const got = run(chunks);
      if (!isDeepStrictEqual(got, whole)) { fails++; console.log(name, JSON.stringify(chunks), "\nwhole", JSON.stringify(whole), "\ngot  ", JSON.stringify(got)); break; }
    }
  }
}
console.log("fails", fails);
