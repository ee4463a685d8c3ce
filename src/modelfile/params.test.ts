import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { homedir } from "node:os";
import { InvalidOptionError, ModelfileError } from "../util/errors.js";
import {
  DEPRECATED_PARAMETERS,
  OPTION_TYPES,
  coerceOptions,
  expandModelfilePath,
  formatParams,
  interpretModelfile,
  parseModelfile,
  parseParameterValue,
  parseRequires,
} from "./index.js";

describe("OPTION_TYPES", () => {
  it("lists exactly the options of spec §1.4", () => {
    assert.deepEqual(Object.keys(OPTION_TYPES).sort(), [
      "draft_num_predict",
      "frequency_penalty",
      "main_gpu",
      "min_p",
      "num_batch",
      "num_ctx",
      "num_gpu",
      "num_keep",
      "num_predict",
      "num_thread",
      "presence_penalty",
      "repeat_last_n",
      "repeat_penalty",
      "seed",
      "stop",
      "temperature",
      "top_k",
      "top_p",
      "typical_p",
      "use_mmap",
    ]);
    for (const d of DEPRECATED_PARAMETERS) assert.equal(d in OPTION_TYPES, false);
  });
});

describe("parseParameterValue", () => {
  it("types values", () => {
    assert.equal(parseParameterValue("num_ctx", "4096"), 4096);
    assert.equal(parseParameterValue("seed", "-1"), -1);
    assert.equal(parseParameterValue("temperature", "0.7"), 0.7);
    assert.equal(parseParameterValue("top_p", "1"), 1);
    assert.equal(parseParameterValue("min_p", "1e-3"), 0.001);
    assert.equal(parseParameterValue("use_mmap", "false"), false);
    assert.equal(parseParameterValue("use_mmap", "T"), true);
    assert.deepEqual(parseParameterValue("stop", "<|im_end|>"), ["<|im_end|>"]);
  });

  it("rounds floats to float32 and prints them as Go would", () => {
    assert.equal(parseParameterValue("temperature", "0.123456789"), 0.12345679);
  });

  it("fails with Ollama's messages", () => {
    const fails = (name: string, raw: string, message: string) =>
      assert.throws(() => parseParameterValue(name, raw), (e: unknown) => e instanceof ModelfileError && e.message === message);
    fails("num_ctx", "4k", "invalid int value [4k]");
    fails("num_ctx", "1.5", "invalid int value [1.5]");
    fails("temperature", "hot", "invalid float value [hot]");
    fails("use_mmap", "yes", "invalid bool value [yes]");
    fails("tfs_z", "1", "unknown parameter 'tfs_z'");
    fails("constructor", "1", "unknown parameter 'constructor'");
  });
});

describe("formatParams", () => {
  it("accumulates stop, lets later values win, warns on deprecated names", () => {
    const warnings: string[] = [];
    const parameters = formatParams(
      [
        ["stop", "a"],
        ["temperature", "0.5"],
        ["mirostat", "2"],
        ["stop", "b"],
        ["temperature", "0.9"],
        ["use_mlock", "true"],
      ],
      warnings,
    );
    assert.deepEqual(parameters, { stop: ["a", "b"], temperature: 0.9 });
    assert.deepEqual(warnings, ["warning: parameter mirostat is deprecated", "warning: parameter use_mlock is deprecated"]);
  });

  it("works without a warnings sink", () => {
    assert.deepEqual(formatParams([["low_vram", "true"], ["seed", "42"]]), { seed: 42 });
  });

  it("rejects unknown parameters", () => {
    assert.throws(() => formatParams([["num_gqa", "8"]]), { message: "unknown parameter 'num_gqa'" });
  });
});

describe("coerceOptions (request options)", () => {
  it("types JSON values and collects unknown keys", () => {
    const { options, unknown } = coerceOptions({
      num_ctx: 2048.9,
      temperature: 0,
      top_p: 0.95,
      use_mmap: false,
      stop: ["\n", "User:"],
      seed: null,
      mirostat: 1,
      tfs_z: 1,
    });
    assert.deepEqual(options, { num_ctx: 2048, temperature: 0, top_p: 0.95, use_mmap: false, stop: ["\n", "User:"] });
    assert.deepEqual(unknown, ["mirostat", "tfs_z"]);
  });

  it("throws InvalidOptionError with Ollama's wording", () => {
    const fails = (map: Record<string, unknown>, message: string) =>
      assert.throws(() => coerceOptions(map), (e: unknown) => e instanceof InvalidOptionError && e.message === message);
    fails({ top_k: "40" }, 'option "top_k" must be of type integer');
    fails({ temperature: "0.7" }, 'option "temperature" must be of type float32');
    fails({ use_mmap: "true" }, 'option "use_mmap" must be of type boolean');
    fails({ stop: "x" }, 'option "stop" must be of type array');
    fails({ stop: ["x", 1] }, 'option "stop" must be of an array of strings');
  });

  it("accepts nothing", () => {
    assert.deepEqual(coerceOptions(undefined), { options: {}, unknown: [] });
  });
});

describe("interpretModelfile", () => {
  it("builds the create fields", () => {
    const spec = interpretModelfile(
      parseModelfile(
        [
          "FROM ./model.gguf",
          "FROM ./mmproj.gguf",
          "ADAPTER ./lora.gguf",
          "TEMPLATE first",
          "TEMPLATE second",
          "SYSTEM sys",
          "LICENSE one",
          "LICENSE two",
          "PARAMETER num_ctx 8192",
          "PARAMETER stop a",
          "PARAMETER stop b",
          "PARAMETER f16_kv true",
          "MESSAGE user hi: there",
          "MESSAGE assistant hello",
          "REQUIRES v0.14.1",
          "RENDERER r",
          "PARSER p",
          "DRAFT ./d.gguf",
        ].join("\n"),
      ),
    );
    assert.deepEqual(spec, {
      from: ["./model.gguf", "./mmproj.gguf"],
      adapters: ["./lora.gguf"],
      drafts: ["./d.gguf"],
      template: "second",
      system: "sys",
      license: ["one", "two"],
      parameters: { num_ctx: 8192, stop: ["a", "b"] },
      messages: [
        { role: "user", content: "hi: there" },
        { role: "assistant", content: "hello" },
      ],
      requires: "0.14.1",
      renderer: "r",
      parser: "p",
      warnings: ["warning: parameter f16_kv is deprecated"],
    });
  });

  it("validates REQUIRES as semver", () => {
    assert.equal(parseRequires("0.14.0"), "0.14.0");
    assert.equal(parseRequires("v1.2.3-rc.1+build.5"), "1.2.3-rc.1+build.5");
    assert.equal(parseRequires("1.2"), "1.2");
    for (const bad of ["latest", "1.2.3.4", "01.2.3", "1.2-rc1", ""]) {
      assert.throws(() => parseRequires(bad), { message: "requires must be a valid semver (e.g. 0.14.0)" }, bad);
    }
    assert.throws(() => interpretModelfile(parseModelfile("FROM x\nREQUIRES soon")), ModelfileError);
  });
});

describe("expandModelfilePath", () => {
  it("resolves relative, absolute and home paths", () => {
    assert.equal(expandModelfilePath("model.gguf", "/models/dir"), "/models/dir/model.gguf");
    assert.equal(expandModelfilePath("../x.gguf", "/models/dir"), "/models/x.gguf");
    assert.equal(expandModelfilePath("/abs/x.gguf", "/models/dir"), "/abs/x.gguf");
    assert.equal(expandModelfilePath("~/x.gguf", "/models/dir"), `${homedir()}/x.gguf`);
    assert.throws(() => expandModelfilePath("~nosuchuser-herd/x", "/"), { message: "failed to find user 'nosuchuser-herd'" });
  });
});
