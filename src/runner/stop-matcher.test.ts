import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StopMatcher } from "./stop-matcher.js";

function run(stops: string[], pieces: string[]) {
  const m = new StopMatcher(stops);
  let out = "";
  for (const p of pieces) {
    const step = m.push(p);
    out += step.emit;
    if (step.stopped) return { out, stopped: true };
  }
  return { out: out + m.flush(), stopped: false };
}

describe("StopMatcher", () => {
  it("passes text through without stops", () => {
    assert.deepEqual(run([], ["a", "b"]), { out: "ab", stopped: false });
  });

  it("matches across pieces and emits only what precedes the stop", () => {
    assert.deepEqual(run(["<|end|>"], ["Hi <|", "en", "d|> more"]), { out: "Hi ", stopped: true });
  });

  it("holds back a partial match, then releases it when it diverges", () => {
    const m = new StopMatcher(["STOP"]);
    assert.deepEqual(m.push("go ST"), { emit: "go ", stopped: false });
    assert.deepEqual(m.push("ART"), { emit: "START", stopped: false });
  });

  it("releases a trailing partial match at the end", () => {
    assert.deepEqual(run(["STOP"], ["a ST"]), { out: "a ST", stopped: false });
  });

  it("picks the earliest of several stops", () => {
    assert.deepEqual(run(["b", "abc"], ["xxabc"]), { out: "xx", stopped: true });
  });
});
