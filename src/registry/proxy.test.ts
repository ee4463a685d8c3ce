import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer as createHttpServer, request } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pullModel } from "../models/pull.js";
import { pushModel } from "../models/push.js";
import { parseName } from "../name/index.js";
import { Store } from "../store/index.js";
import { model, tempDir } from "../testing/fixtures.js";
import { createRegistryClient } from "./client.js";
import { createProxyFetch, noProxyMatches, proxyFor } from "./proxy.js";
import { makeModel } from "./testing/fixture-model.js";
import { startRegistry, type TestRegistry } from "./testing/registry-server.js";

test("NO_PROXY matching follows Go's httpproxy", () => {
  assert.equal(noProxyMatches("*", "anything.example", "443"), true);
  assert.equal(noProxyMatches("example.com", "example.com", "443"), true);
  assert.equal(noProxyMatches("example.com", "registry.example.com", "443"), true);
  assert.equal(noProxyMatches("example.com", "badexample.com", "443"), false);
  assert.equal(noProxyMatches(".example.com", "example.com", "443"), true);
  assert.equal(noProxyMatches(".example.com", "a.example.com", "443"), true);
  assert.equal(noProxyMatches("*.example.com", "a.example.com", "443"), true);
  assert.equal(noProxyMatches("example.com:5000", "example.com", "443"), false);
  assert.equal(noProxyMatches("example.com:5000", "example.com", "5000"), true);
  assert.equal(noProxyMatches("10.0.0.1, other", "10.0.0.1", "80"), true);
  assert.equal(noProxyMatches("", "example.com", "443"), false);
});

test("proxyFor picks the variable by scheme and never proxies loopback", () => {
  const env = { HTTPS_PROXY: "http://proxy:3128", http_proxy: "proxy2:8080", NO_PROXY: "internal.corp" };
  assert.equal(proxyFor("https://registry.ollama.ai/v2/", env)?.href, "http://proxy:3128/");
  assert.equal(proxyFor("http://myregistry:5000/v2/", env)?.href, "http://proxy2:8080/");
  assert.equal(proxyFor("https://r.internal.corp/v2/", env), undefined);
  assert.equal(proxyFor("https://127.0.0.1:5000/v2/", env), undefined);
  assert.equal(proxyFor("http://localhost:5000/v2/", env), undefined);
  assert.equal(proxyFor("https://registry.ollama.ai/v2/", {}), undefined);
});

// A forward proxy that resolves the made-up host `registry.test` to the loopback registry.
let reg: TestRegistry;
const tmp = tempDir("herd-proxy-");
const seen: string[] = [];
let forward: ReturnType<typeof createHttpServer>;
let proxyUrl = "";
before(async () => {
  reg = await startRegistry();
  forward = createHttpServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url!);
    const port = target.hostname === "registry.test" ? reg.port : Number(target.port);
    const up = request({ host: "127.0.0.1", port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  forward.on("connect", (req, socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    const port = Number(req.url!.split(":")[1]);
    const up = connect(port, "127.0.0.1", () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      up.write(head);
      up.pipe(socket).pipe(up);
    });
    up.on("error", () => socket.destroy());
    socket.on("error", () => up.destroy());
  });
  await new Promise<void>((r) => forward.listen(0, "127.0.0.1", () => r()));
  proxyUrl = `http://127.0.0.1:${(forward.address() as { port: number }).port}`;
});
after(async () => {
  forward.close();
  await reg.stop();
  tmp.cleanup();
});

test("HTTP_PROXY carries a whole push and pull to a host only the proxy can resolve", async () => {
  const name = `registry.test:${reg.port}/via/proxy:latest`;
  const src = new Store(join(tmp.dir, "src"));
  await makeModel(src, name, { gguf: model("stories260K-Q8_0.gguf") });
  const client = createRegistryClient({ env: { HTTP_PROXY: proxyUrl } });
  await pushModel(src, client, name, { insecure: true, tuning: { partSize: 100_000 } });
  const dst = new Store(join(tmp.dir, "dst"));
  await pullModel(dst, client, name, { insecure: true });
  assert.equal((await dst.readManifest(parseName(name))).digest, (await src.readManifest(parseName(name))).digest);
  assert.ok(seen.some((s) => s.startsWith(`PATCH http://registry.test:${reg.port}/v2/via/proxy/blobs/uploads/`)));
  assert.ok(seen.includes(`GET http://registry.test:${reg.port}/v2/via/proxy/manifests/latest`));

  const direct = createRegistryClient({ env: { HTTP_PROXY: proxyUrl, NO_PROXY: "registry.test" } });
  await assert.rejects(direct.getManifest(parseName(name), { insecure: true }), /no such host/);
});

test("https goes through a CONNECT tunnel", async () => {
  const key = join(tmp.dir, "tls.key");
  const cert = join(tmp.dir, "tls.crt");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=secure.test", "-addext", "subjectAltName=DNS:secure.test", "-days", "2"], { stdio: "ignore" });
  const server = createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, (req, res) => {
    res.writeHead(200, { "x-saw-host": req.headers.host ?? "" }).end(`hello ${req.method} ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  try {
    const port = (server.address() as { port: number }).port;
    const f = createProxyFetch(new URL(proxyUrl), { ca: await readFile(cert) });
    const res = await f(`https://secure.test:${port}/v2/?x=1`, { method: "GET", headers: { "user-agent": "t" } });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "hello GET /v2/?x=1");
    assert.equal(res.headers.get("x-saw-host"), `secure.test:${port}`);
    assert.ok(seen.includes(`CONNECT secure.test:${port}`));
  } finally {
    server.close();
  }
});
