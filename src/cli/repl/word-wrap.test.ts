import assert from "node:assert/strict";
import { test } from "node:test";
import { WordWrapper } from "./word-wrap.js";

function wrapAll(limit: number, pieces: string[]): string {
  const w = new WordWrapper(limit);
  return pieces.map((p) => w.push(p)).join("") + w.flush();
}

test("wraps at word boundaries, whatever the token split", () => {
  const text = "the quick brown fox jumps over the lazy dog";
  const expected = "the quick\nbrown fox\njumps over\nthe lazy\ndog";
  assert.equal(wrapAll(10, [text]), expected);
  assert.equal(wrapAll(10, text.split(/(?= )/)), expected);
  assert.equal(wrapAll(10, [...text]), expected);
});

test("keeps newlines of the text and resets the column after them", () => {
  assert.equal(wrapAll(10, ["aaaa bbbb\ncccc dddd eeee"]), "aaaa bbbb\ncccc dddd\neeee");
});

test("breaks a word longer than the line", () => {
  assert.equal(wrapAll(5, ["abcdefghijkl xy"]), "abcde\nfghij\nkl xy");
});

test("limit 0 passes text through untouched and holds nothing back", () => {
  const w = new WordWrapper(0);
  assert.equal(w.push("a very long line that is not wrapped "), "a very long line that is not wrapped ");
  assert.equal(w.flush(), "");
});

test("a partial word is held until its end is known", () => {
  const w = new WordWrapper(20);
  assert.equal(w.push("Hel"), "");
  assert.equal(w.push("lo wor"), "Hello");
  assert.equal(w.flush(), " wor");
});
