// Helpers for the parser tests: feeding one text in different chunkings and a seeded RNG, so
// every test states its expectation once and checks it under whole, token-like and odd splits.

import type { ToolCall } from "../../../api/types.js";
import { seededRandom } from "../../../testing/random.js";
import { appendOutput, emptyOutput, type ParsedOutput } from "../types.js";

export { seededRandom };

export interface Feedable {
  add(chunk: string): { content?: string; thinking?: string; toolCalls?: ToolCall[] };
  finish(): { content?: string; thinking?: string; toolCalls?: ToolCall[] };
}

/** Cuts `text` into pieces of 1..max chars chosen by `rand`. */
export function randomChunks(text: string, rand: () => number, max = 3): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(rand() * max);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

/** Named chunkings every table test runs through. */
export function chunkings(text: string): Array<[string, string[]]> {
  const fixed = (n: number) => Array.from({ length: Math.ceil(text.length / n) }, (_, i) => text.slice(i * n, i * n + n));
  return [
    ["whole", [text]],
    ["1 char", fixed(1)],
    ["2 chars", fixed(2)],
    ["3 chars", fixed(3)],
    ["random 1-3", randomChunks(text, seededRandom(text.length), 3)],
    ["random 1-7", randomChunks(text, seededRandom(text.length * 31 + 7), 7)],
    ["halves", [text.slice(0, text.length >> 1), text.slice(text.length >> 1)]],
  ];
}

/** Feeds chunks (empty ones included, as a stream may produce) and concatenates every result. */
export function feed(parser: Feedable, chunks: readonly string[]): ParsedOutput {
  const total = emptyOutput();
  const take = (o: ReturnType<Feedable["add"]>) =>
    appendOutput(total, { content: o.content ?? "", thinking: o.thinking ?? "", toolCalls: o.toolCalls ?? [] });
  for (const c of chunks) {
    take(parser.add(c));
    take(parser.add(""));
  }
  take(parser.finish());
  return total;
}

/** Deterministic ids for equality checks: call_00000000, call_00000001, … */
export function sequentialIds(): () => string {
  let n = 0;
  return () => "call_" + String(n++).padStart(8, "0");
}
