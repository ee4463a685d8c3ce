import assert from "node:assert/strict";
import { test } from "node:test";
import { ResponseRenderer } from "./renderer.js";
import { formatStats } from "./stats.js";

function render(hideThinking: boolean, plain: boolean, chunks: [string, string][]): string {
  let out = "";
  const r = new ResponseRenderer({ write: (s) => (out += s), wrapWidth: 0, plain, hideThinking });
  for (const [thinking, content] of chunks) {
    r.thinking(thinking);
    r.content(content);
  }
  r.finish();
  return out;
}

const CHUNKS: [string, string][] = [
  ["Let me", ""],
  [" think.", ""],
  ["", "Hi"],
  ["", " there"],
];

test("thinking is framed by Thinking... and ...done thinking. in plain text", () => {
  assert.equal(render(false, true, CHUNKS), "Thinking...\nLet me think.\n...done thinking.\n\nHi there");
});

test("--hidethinking prints only the answer", () => {
  assert.equal(render(true, true, CHUNKS), "Hi there");
});

test("on a terminal the frame is grey and colors are reset", () => {
  const out = render(false, false, CHUNKS);
  assert.match(out, /^\x1b\[38;5;245m\x1b\[1mThinking\.\.\.\n\x1b\[0m\x1b\[38;5;245mLet me think\.\n/);
  assert.match(out, /\.\.\.done thinking\.\n\n\x1b\[0mHi there$/);
});

test("verbose stats match Ollama's Summary byte for byte", () => {
  const stats = formatStats({
    total_duration: 4935886791,
    load_duration: 534986708,
    prompt_eval_count: 26,
    prompt_eval_duration: 107345000,
    eval_count: 237,
    eval_duration: 4289432000,
  });
  assert.equal(
    stats,
    "total duration:       4.935886791s\n" +
      "load duration:        534.986708ms\n" +
      "prompt eval count:    26 token(s)\n" +
      "prompt eval duration: 107.345ms\n" +
      "prompt eval rate:     242.21 tokens/s\n" +
      "eval count:           237 token(s)\n" +
      "eval duration:        4.289432s\n" +
      "eval rate:            55.25 tokens/s\n",
  );
  assert.equal(formatStats({ eval_count: 3 }), "eval count:           3 token(s)\n");
});
