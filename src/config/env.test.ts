import assert from "node:assert/strict";
import test from "node:test";
import { FOREVER_MS } from "../util/duration.js";
import { allowedOrigins, configValues, connectableHost, envBool, envVar, goMap, hostUrl, modelsDir, parseHost, serverConfig } from "./env.js";

test("OLLAMA_HOST parses as Ollama does", () => {
  const cases: [string, string][] = [
    ["", "http://127.0.0.1:11434"],
    ["1.2.3.4", "http://1.2.3.4:11434"],
    [":1234", "http://127.0.0.1:1234"],
    ["0.0.0.0:8080", "http://0.0.0.0:8080"],
    ["http://example.com", "http://example.com:80"],
    ["https://example.com", "https://example.com:443"],
    ["ollama.com", "https://ollama.com:443"],
    ["[::1]:5000", "http://[::1]:5000"],
    ["example.com:bad", "http://example.com:11434"],
    ["http://host:9000/prefix/", "http://host:9000/prefix"],
  ];
  for (const [raw, url] of cases) assert.equal(hostUrl(parseHost(raw)), url, raw);
  assert.equal(hostUrl(connectableHost(parseHost("0.0.0.0"))), "http://127.0.0.1:11434");
});

test("values are trimmed of quotes; any other non-empty bool is true", () => {
  assert.equal(envVar({ X: ' "quoted" ' }, "X"), "quoted");
  assert.equal(envBool({ X: "false" }, "X"), false);
  assert.equal(envBool({ X: "0" }, "X"), false);
  assert.equal(envBool({ X: "yes please" }, "X"), true);
  assert.equal(envBool({}, "X"), false);
});

test("origins always include the defaults after OLLAMA_ORIGINS", () => {
  const o = allowedOrigins({ OLLAMA_ORIGINS: "chrome-extension://*,https://app.example" });
  assert.deepEqual(o.slice(0, 2), ["chrome-extension://*", "https://app.example"]);
  assert.ok(o.includes("http://localhost:*"));
  assert.ok(o.includes("vscode-webview://*"));
});

test("models dir defaults to Ollama's and expands ~", () => {
  assert.equal(modelsDir({ HOME: "/home/u" }), "/home/u/.ollama/models");
  assert.equal(modelsDir({ HOME: "/home/u", OLLAMA_MODELS: "~/m" }), "/home/u/m");
  const c = serverConfig({ HOME: "/h", OLLAMA_MAX_QUEUE: "7", OLLAMA_NOPRUNE: "1" });
  assert.equal(c.maxQueue, 7);
  assert.equal(c.noPrune, true);
  assert.equal(c.keepAliveMs, 300_000);
  assert.equal(c.numParallel, 1);
  assert.equal(serverConfig({ HOME: "/h", OLLAMA_NUM_PARALLEL: "4" }).numParallel, 4);
});

test("durations: a Go duration or seconds; negative is forever, 0 too for OLLAMA_LOAD_TIMEOUT but unloads at once for OLLAMA_KEEP_ALIVE; unreadable is the default", () => {
  const cases: [string, number, number][] = [
    // value, OLLAMA_LOAD_TIMEOUT, OLLAMA_KEEP_ALIVE
    ["10m", 600_000, 600_000],
    ["1h30m", 5_400_000, 5_400_000],
    ["90", 90_000, 90_000],
    ["0", FOREVER_MS, 0],
    ["-1", FOREVER_MS, FOREVER_MS],
    ["-5m", FOREVER_MS, FOREVER_MS],
    ["soon", 300_000, 300_000],
  ];
  for (const [v, timeout, keepAlive] of cases) {
    assert.equal(serverConfig({ OLLAMA_LOAD_TIMEOUT: v }).loadTimeoutMs, timeout, `OLLAMA_LOAD_TIMEOUT=${v}`);
    assert.equal(serverConfig({ OLLAMA_KEEP_ALIVE: v }).keepAliveMs, keepAlive, `OLLAMA_KEEP_ALIVE=${v}`);
  }
  assert.equal(serverConfig({}).loadTimeoutMs, 300_000);
  const cfg = serverConfig({ OLLAMA_KEEP_ALIVE: "soon", OLLAMA_NUM_PARALLEL: "many" });
  assert.deepEqual(cfg.invalid, [
    { key: "OLLAMA_KEEP_ALIVE", value: "soon", default: "5m0s" },
    { key: "OLLAMA_NUM_PARALLEL", value: "many", default: "1" },
  ]);
});

test("the server config line: every variable as resolved, in Go's map shape, proxy credentials hidden", () => {
  const env = { HOME: "/home/u", OLLAMA_KEEP_ALIVE: "-1", OLLAMA_NUM_PARALLEL: "4", https_proxy: "http://user:secret@proxy:3128", OLLAMA_ORIGINS: "chrome-extension://*" };
  const values = configValues(serverConfig(env), env);
  assert.equal(values.OLLAMA_HOST, "http://127.0.0.1:11434");
  assert.equal(values.OLLAMA_MODELS, "/home/u/.ollama/models");
  assert.equal(values.OLLAMA_KEEP_ALIVE, "forever");
  assert.equal(values.OLLAMA_LOAD_TIMEOUT, "5m0s");
  assert.equal(values.OLLAMA_NUM_PARALLEL, "4");
  assert.equal(values.OLLAMA_MAX_LOADED_MODELS, "3");
  assert.equal(values.OLLAMA_FLASH_ATTENTION, "auto");
  assert.equal(values.HTTPS_PROXY, "http://***@proxy:3128");
  assert.ok(values.OLLAMA_ORIGINS.startsWith("[chrome-extension://* http://localhost "), values.OLLAMA_ORIGINS);
  assert.equal(goMap({ b: "2", a: "1 x" }), "map[a:1 x b:2]");
  assert.ok(!goMap(values).includes("secret"));
});
