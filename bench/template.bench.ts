// Prompt rendering speed: a 50-message chat through the Go template engine (llama3-instruct) and
// through Jinja (the Llama 3 chat template Ollama fingerprints llama3-instruct by).
// Run: node --import tsx bench/template.bench.ts   (target: under 1 ms per Go render)

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Message } from "../src/api/types.js";
import { loadNamedTemplate, parseTemplate, renderJinja, renderTemplate, TEMPLATES_DIR } from "../src/template/index.js";

function chat(n: number): Message[] {
  const messages: Message[] = [{ role: "system", content: "You are a helpful assistant." }];
  for (let i = 1; i < n; i++) {
    const role = i % 2 === 1 ? "user" : "assistant";
    messages.push({ role, content: `${role} message number ${i}: ` + "lorem ipsum dolor sit amet ".repeat(8) });
  }
  return messages;
}

function meanMs(fn: () => void, minMs = 500, minRuns = 50): number {
  for (let i = 0; i < 20; i++) fn();
  let runs = 0;
  const start = performance.now();
  while (runs < minRuns || performance.now() - start < minMs) {
    fn();
    runs++;
  }
  return (performance.now() - start) / runs;
}

export async function run(): Promise<Record<string, number>> {
  const messages = chat(50);
  const named = loadNamedTemplate("llama3-instruct");
  if (!named) throw new Error("llama3-instruct template missing");
  const goTemplate = parseTemplate(named.template);
  const index = JSON.parse(readFileSync(join(TEMPLATES_DIR, "index.json"), "utf8")) as { name: string; template: string }[];
  const jinja = index.find((t) => t.name === "llama3-instruct")!.template;

  return {
    "go_template_render_ms": meanMs(() => renderTemplate(goTemplate, { messages })),
    "go_template_parse_and_render_ms": meanMs(() => renderTemplate(parseTemplate(named.template), { messages })),
    "jinja_render_ms": meanMs(() => renderJinja(jinja, { messages, addGenerationPrompt: true })),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = await run();
  for (const [name, ms] of Object.entries(results)) console.log(`${name.padEnd(34)} ${ms.toFixed(4)} ms/render`);
}
