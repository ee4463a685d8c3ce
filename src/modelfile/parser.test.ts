import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { model } from "../testing/fixtures.js";
import { BadRequestError, ModelfileError } from "../util/errors.js";
import { COMMAND_ERROR, ROLE_ERROR, interpretModelfile, parseModelfile } from "./index.js";

const cmds = (text: string) => parseModelfile(text).commands.map((c) => [c.name, c.args]);

function rejects(text: string, message: string): void {
  assert.throws(
    () => parseModelfile(text),
    (e: unknown) => {
      assert.ok(e instanceof ModelfileError);
      assert.ok(e instanceof BadRequestError);
      assert.equal(e.message, message);
      return true;
    },
  );
}

describe("parseModelfile", () => {
  it("parses every command, case-insensitively", () => {
    const text = [
      "FROM llama3.2",
      "adapter ./lora.gguf",
      "Template {{ .Prompt }}",
      "SYSTEM You are a pirate.",
      "LICENSE MIT",
      "license Apache",
      "PARAMETER temperature 0.7",
      "PARAMETER stop <|im_end|>",
      "MESSAGE user Hello there",
      "MESSAGE assistant Ahoy!",
      "REQUIRES 0.14.0",
      "DRAFT ./draft.gguf",
      "RENDERER qwen3",
      "PARSER qwen3",
    ].join("\n");
    assert.deepEqual(cmds(text), [
      ["model", "llama3.2"],
      ["adapter", "./lora.gguf"],
      ["template", "{{ .Prompt }}"],
      ["system", "You are a pirate."],
      ["license", "MIT"],
      ["license", "Apache"],
      ["temperature", "0.7"],
      ["stop", "<|im_end|>"],
      ["message", "user: Hello there"],
      ["message", "assistant: Ahoy!"],
      ["requires", "0.14.0"],
      ["draft", "./draft.gguf"],
      ["renderer", "qwen3"],
      ["parser", "qwen3"],
    ]);
  });

  it("skips comments and blank lines, keeps # inside values", () => {
    assert.deepEqual(cmds("# a comment\n\n   # indented comment\nFROM foo # not a comment\n\n"), [["model", "foo # not a comment"]]);
  });

  it("unquotes single-line and multi-line values", () => {
    assert.deepEqual(cmds('FROM foo\nSYSTEM "  spaced  "\nTEMPLATE """\n{{ .System }}\n\n{{ .Prompt }}\n"""\nPARAMETER stop "<|end|>"'), [
      ["model", "foo"],
      ["system", "  spaced  "],
      ["template", "\n{{ .System }}\n\n{{ .Prompt }}\n"],
      ["stop", "<|end|>"],
    ]);
  });

  it("keeps quotes inside triple-quoted values and single quotes as text", () => {
    assert.deepEqual(cmds(`FROM foo\nSYSTEM """Say "hi" please"""\nMESSAGE user 'quoted'`), [
      ["model", "foo"],
      ["system", 'Say "hi" please'],
      ["message", "user: 'quoted'"],
    ]);
  });

  it("trims unquoted values and keeps inner spaces and tabs", () => {
    assert.deepEqual(cmds("FROM    foo  \nSYSTEM a\tb  c   \n"), [
      ["model", "foo"],
      ["system", "a\tb  c"],
    ]);
  });

  it("keeps parameter-name case (so Temperature is not temperature)", () => {
    assert.deepEqual(cmds("FROM foo\nPARAMETER Temperature 1"), [
      ["model", "foo"],
      ["Temperature", "1"],
    ]);
  });

  it("tolerates a UTF-8 BOM, as text or bytes", () => {
    assert.deepEqual(cmds("\uFEFFFROM foo"), [["model", "foo"]]);
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("FROM bär\n")]);
    assert.deepEqual(parseModelfile(bytes).commands, [{ name: "model", args: "bär" }]);
  });

  it("reads UTF-16 files with a BOM (little and big endian)", () => {
    const text = "FROM bob\nPARAMETER num_ctx 4096\nSYSTEM You are a utf16 file.\n";
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.from(le);
    be.swap16();
    const want = [
      { name: "model", args: "bob" },
      { name: "num_ctx", args: "4096" },
      { name: "system", args: "You are a utf16 file." },
    ];
    assert.deepEqual(parseModelfile(le).commands, want);
    assert.deepEqual(parseModelfile(be).commands, want);
  });

  it("matches Ollama's own parser cases", () => {
    assert.deepEqual(cmds('FROM "     model 1"\nADAPTER      adapter3\nLICENSE "MIT       "\nPARAMETER param1        value1'), [
      ["model", "     model 1"],
      ["adapter", "adapter3"],
      ["license", "MIT       "],
      ["param1", "value1"],
    ]);
    assert.deepEqual(cmds("PARAMETER what the \nFROM lemons make lemonade "), [
      ["what", "the"],
      ["model", "lemons make lemonade"],
    ]);
    assert.deepEqual(cmds(`FROM foo\nSYSTEM """"""\nLICENSE ""\nTEMPLATE "'"`), [
      ["model", "foo"],
      ["system", ""],
      ["license", ""],
      ["template", "'"],
    ]);
    assert.deepEqual(cmds(`FROM foo\nSYSTEM """''"'""'""'"'''''""'""'"""`), [
      ["model", "foo"],
      ["system", `''"'""'""'"'''''""'""'`],
    ]);
    assert.deepEqual(cmds(`FROM foo\nPARAMETER stop """### User:\n"""\nPARAMETER stop "### User: "`), [
      ["model", "foo"],
      ["stop", "### User:\n"],
      ["stop", "### User: "],
    ]);
  });

  it("handles CRLF line endings", () => {
    assert.deepEqual(cmds("FROM foo\r\nSYSTEM hi\r\n"), [
      ["model", "foo"],
      ["system", "hi"],
    ]);
  });

  it("parses the shared llama-2-tiny-random.Modelfile", () => {
    const text = readFileSync(model("llama-2-tiny-random.Modelfile"));
    assert.deepEqual(parseModelfile(text).commands, [
      { name: "model", args: "llama-2-tiny-random.gguf" },
      { name: "seed", args: "42" },
      { name: "top_p", args: "0.9" },
      { name: "stop", args: "foo" },
      { name: "stop", args: "bar" },
    ]);
    const spec = interpretModelfile(parseModelfile(text));
    assert.deepEqual(spec.from, ["llama-2-tiny-random.gguf"]);
    assert.deepEqual(spec.parameters, { seed: 42, top_p: 0.9, stop: ["foo", "bar"] });
  });
});

describe("parseModelfile errors (Ollama's wording)", () => {
  it("unknown command, with its line number", () => {
    assert.equal(COMMAND_ERROR, 'command must be one of "from", "license", "template", "system", "adapter", "draft", "renderer", "parser", "parameter", "message", or "requires"');
    rejects("FROM foo\nBADCOMMAND bar", `(line 2): ${COMMAND_ERROR}`);
    rejects("FROM foo\n\n\nPROMPT hi", `(line 4): ${COMMAND_ERROR}`);
  });

  it("a command with no value on its line", () => {
    // The newline itself is the bad rune, so Ollama reports the following line.
    rejects("FROM\nfoo", `(line 2): ${COMMAND_ERROR}`);
    rejects("FROM2 foo", `(line 1): ${COMMAND_ERROR}`);
  });

  it("CRLF files count lines as Ollama does (each \\r and \\n)", () => {
    rejects("FROM foo\r\nNOPE x", `(line 3): ${COMMAND_ERROR}`);
  });

  it("invalid message role", () => {
    assert.equal(ROLE_ERROR, 'message role must be one of "system", "user", or "assistant"');
    rejects("FROM foo\nMESSAGE badguy I'm a bad guy!", `(line 2): ${ROLE_ERROR}`);
    rejects("FROM foo\nMESSAGE tool result", `(line 2): ${ROLE_ERROR}`);
    rejects("FROM foo\nMESSAGE User hi", `(line 2): ${ROLE_ERROR}`);
  });

  it("no FROM line", () => {
    rejects("SYSTEM hi", "no FROM line");
    rejects("", "no FROM line");
    rejects("# only a comment\n", "no FROM line");
  });

  it("unterminated quotes → unexpected EOF", () => {
    rejects('FROM foo\nTEMPLATE """{{ .Prompt }}\n', "unexpected EOF");
    rejects('FROM foo\nSYSTEM "open', "unexpected EOF");
    rejects('FROM foo\nSYSTEM "hello" world\n', "unexpected EOF");
    rejects('FROM foo\nSYSTEM """This is a multiline system.""\n', "unexpected EOF");
  });

  it("a parameter or message with no value", () => {
    rejects("FROM foo\nPARAMETER num_ctx\n", "unexpected EOF: num_ctx");
    rejects("FROM foo\nPARAMETER num_ctx", "unexpected EOF");
    rejects("FROM foo\nPARAMETER num-ctx 4", "unexpected EOF: num");
    rejects("FROM foo\nMESSAGE user\n", "unexpected EOF: user");
    rejects("FROM foo\nSYSTEM", "unexpected EOF");
  });
});
