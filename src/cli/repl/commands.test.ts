import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCommand } from "./commands.js";
import { typeParameter } from "../../modelfile/params.js";

test("/set parameter types values like api.FormatParams", () => {
  assert.deepEqual(parseCommand("/set parameter temperature 0"), { kind: "set-parameter", name: "temperature", value: 0 });
  assert.deepEqual(parseCommand("/set parameter top_p 0.5"), { kind: "set-parameter", name: "top_p", value: 0.5 });
  assert.deepEqual(parseCommand("/set parameter num_ctx 2048"), { kind: "set-parameter", name: "num_ctx", value: 2048 });
  assert.deepEqual(parseCommand("/set parameter use_mmap false"), { kind: "set-parameter", name: "use_mmap", value: false });
  assert.deepEqual(parseCommand("/set parameter stop <|end|> User: ###"), { kind: "set-parameter", name: "stop", value: ["<|end|>", "User:", "###"] });
});

test("/set parameter rejects bad values and unknown names with Ollama's messages", () => {
  assert.throws(() => typeParameter("num_ctx", ["1.5"]), /invalid int value \[1\.5\]/);
  assert.throws(() => typeParameter("temperature", ["hot"]), /invalid float value \[hot\]/);
  assert.throws(() => typeParameter("use_mmap", ["yes"]), /invalid bool value \[yes\]/);
  assert.throws(() => typeParameter("mirostat_x", ["1"]), /unknown parameter 'mirostat_x'/);
  const r = parseCommand("/set parameter seed abc");
  assert.equal(r.kind, "message");
  assert.match((r as { text: string }).text, /^Couldn't set parameter: "invalid int value \[abc\]"/);
  assert.equal(parseCommand("/set parameter temperature").kind, "message");
  // The same number rules as a Modelfile PARAMETER: floats are float32, Go's special values parse.
  assert.deepEqual(parseCommand("/set parameter top_p 0.1"), { kind: "set-parameter", name: "top_p", value: 0.1 });
  assert.deepEqual(parseCommand("/set parameter temperature inf"), { kind: "set-parameter", name: "temperature", value: Infinity });
  assert.throws(() => typeParameter("seed", ["99999999999999999999"]), /invalid int value/);
  assert.throws(() => typeParameter("num_ctx", ["1.5", "2"]), /invalid int value \[1\.5 2\]/);
});

test("/set system keeps the text, quotes and multi-line openers", () => {
  assert.deepEqual(parseCommand("/set system You are  a pirate."), { kind: "set-system", text: "You are  a pirate.", multiline: false });
  assert.deepEqual(parseCommand('/set system "Be brief."'), { kind: "set-system", text: "Be brief.", multiline: false });
  assert.deepEqual(parseCommand('/set system """one line"""'), { kind: "set-system", text: "one line", multiline: false });
  assert.deepEqual(parseCommand('/set system """first'), { kind: "set-system", text: "first", multiline: true });
});

test("/set flags, format and think", () => {
  for (const f of ["history", "nohistory", "wordwrap", "nowordwrap", "verbose", "quiet", "noformat", "nothink"]) {
    assert.deepEqual(parseCommand(`/set ${f}`), { kind: "set-flag", flag: f });
  }
  assert.deepEqual(parseCommand("/set format json"), { kind: "set-format", format: "json" });
  assert.deepEqual(parseCommand("/set think"), { kind: "set-think", think: true });
  assert.deepEqual(parseCommand("/set think high"), { kind: "set-think", think: "high" });
  assert.equal(parseCommand("/set think loud").kind, "message");
});

test("other commands and unknown ones", () => {
  assert.deepEqual(parseCommand("/bye"), { kind: "exit" });
  assert.deepEqual(parseCommand("/exit"), { kind: "exit" });
  assert.deepEqual(parseCommand("/clear"), { kind: "clear" });
  assert.deepEqual(parseCommand("/show template"), { kind: "show", what: "template" });
  assert.deepEqual(parseCommand("/load llama3.2"), { kind: "load", model: "llama3.2" });
  assert.deepEqual(parseCommand("/save mine"), { kind: "save", model: "mine" });
  assert.deepEqual(parseCommand("/? shortcuts"), { kind: "help", topic: "shortcuts" });
  assert.deepEqual(parseCommand("/x"), { kind: "message", text: "Unknown command '/x'. Type /? for help\n" });
});
