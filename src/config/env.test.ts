import assert from "node:assert/strict";
import test from "node:test";
import { FOREVER_MS } from "../util/duration.js";
import { allowedOrigins, connectableHost, envBool, envVar, hostUrl, modelsDir, parseHost, serverConfig } from "./env.js";

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
  assert.equal(c.keepAlive, "5m");
  assert.equal(c.numParallel, 1);
  assert.equal(serverConfig({ HOME: "/h", OLLAMA_NUM_PARALLEL: "4" }).numParallel, 4);
});

test("OLLAMA_LOAD_TIMEOUT: a Go duration or seconds, forever at zero or below, 5m by default", () => {
  const timeout = (v?: string) => serverConfig(v === undefined ? {} : { OLLAMA_LOAD_TIMEOUT: v }).loadTimeoutMs;
  assert.equal(timeout(), 300_000);
  assert.equal(timeout("10m"), 600_000);
  assert.equal(timeout("1h30m"), 5_400_000);
  assert.equal(timeout("90"), 90_000);
  assert.equal(timeout("0"), FOREVER_MS);
  assert.equal(timeout("-1"), FOREVER_MS);
  assert.equal(timeout("soon"), 300_000);
});
