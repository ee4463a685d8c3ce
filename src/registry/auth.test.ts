import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pullModel } from "../models/pull.js";
import { pushModel } from "../models/push.js";
import { parseName } from "../name/index.js";
import { Store } from "../store/index.js";
import { model, tempDir } from "../testing/fixtures.js";
import { createRegistryClient } from "./client.js";
import { ensureKeyPair } from "./keys.js";
import { makeModel } from "./testing/fixture-model.js";
import { startRegistry, type TestRegistry } from "./testing/registry-server.js";

const tmp = tempDir("herd-auth-");
after(() => tmp.cleanup());

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; base: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { server, base: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

// The distribution server's `auth: token`: a registry that trusts JWTs signed by a test key whose
// self-signed certificate is its root bundle, and a token issuer that wants Basic credentials.
let reg: TestRegistry;
let issuer: { server: Server; base: string };
const issued: string[] = [];
before(async () => {
  const key = join(tmp.dir, "token.key");
  const cert = join(tmp.dir, "token.crt");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=herd-test-issuer", "-days", "2"], { stdio: "ignore" });
  const signingKey = createPrivateKey(await readFile(key));
  const x5c = new X509Certificate(await readFile(cert)).raw.toString("base64");
  issuer = await listen((req, res) => {
    const url = new URL(req.url!, "http://x");
    if (req.headers.authorization !== `Basic ${Buffer.from("herd:s3cret").toString("base64")}`) {
      res.writeHead(401).end("bad credentials");
      return;
    }
    const access = url.searchParams.getAll("scope").map((s) => {
      const [type, name, actions] = s.split(":");
      return { type, name, actions: actions.split(",") };
    });
    issued.push(...url.searchParams.getAll("scope"));
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: "JWT", alg: "ES256", x5c: [x5c] }));
    const claims = b64url(
      JSON.stringify({ iss: "herd-test-issuer", sub: "herd", aud: url.searchParams.get("service"), exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString("hex"), access }),
    );
    const sig = sign("sha256", Buffer.from(`${header}.${claims}`), { key: signingKey, dsaEncoding: "ieee-p1363" });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: `${header}.${claims}.${b64url(sig)}` }));
  });
  reg = await startRegistry({
    auth: { token: { realm: `${issuer.base}/token`, service: "herd-registry", issuer: "herd-test-issuer", rootcertbundle: cert } },
  });
});
after(async () => {
  await reg?.stop();
  issuer?.server.close();
});

test("token auth: push and pull through the Bearer challenge with Basic credentials at the issuer", async () => {
  const name = `${reg.host}/team/stories:latest`;
  const src = new Store(join(tmp.dir, "src"));
  await makeModel(src, name, { gguf: model("stories260K-Q8_0.gguf") });
  const client = createRegistryClient({ credentials: { [reg.host]: { username: "herd", password: "s3cret" } } });
  await pushModel(src, client, name, { insecure: true });
  assert.ok(issued.some((s) => /^repository:team\/stories:(pull,push|push,pull)$/.test(s)), `scopes asked: ${issued.join(" ")}`);

  const anonymous = await fetch(`${reg.url}/v2/team/stories/manifests/latest`);
  assert.equal(anonymous.status, 401);

  const dst = new Store(join(tmp.dir, "dst"));
  await pullModel(dst, createRegistryClient({ credentials: () => ({ username: "herd", password: "s3cret" }) }), name, { insecure: true });
  assert.equal((await dst.readManifest(parseName(name))).digest, (await src.readManifest(parseName(name))).digest);

  const stranger = createRegistryClient({ credentials: { [reg.host]: { username: "herd", password: "wrong" } }, keyPath: join(tmp.dir, "none") });
  await assert.rejects(pullModel(new Store(join(tmp.dir, "x")), stranger, name, { insecure: true }), /^RegistryError: pull model manifest: unauthorized: access denied$/);
});

test("Ollama's signed token request, and blobs redirected to a CDN that never sees the token", async () => {
  const home = join(tmp.dir, "home");
  const pub = await ensureKeyPair(home);
  const src = new Store(join(tmp.dir, "fake-src"));
  const { manifest } = await makeModel(src, "x/y/z:t", { gguf: model("stories260K.gguf") });
  const raw = (await src.readManifest(parseName("x/y/z:t"))).raw;
  const cdnAuth: (string | undefined)[] = [];
  const cdn = await listen(async (req, res) => {
    cdnAuth.push(req.headers.authorization);
    const data = await readFile(src.blobs.path(req.url!.slice(1)));
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
    if (!m) return void res.writeHead(200, { "content-length": data.length }).end(data);
    const [s, e] = [Number(m[1]), Math.min(Number(m[2]), data.length - 1)];
    res.writeHead(206, { "content-range": `bytes ${s}-${e}/${data.length}`, "content-length": e - s + 1 }).end(data.subarray(s, e + 1));
  });
  const signed: string[] = [];
  const registry = await listen((req, res) => {
    const url = new URL(req.url!, base);
    if (url.pathname === "/token") {
      const [wire, sig] = (req.headers.authorization ?? "").split(":");
      const rawPub = Buffer.from(wire ?? "", "base64").subarray(-32);
      const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: rawPub.toString("base64url") }, format: "jwk" });
      const data = `GET,${base}${req.url},${Buffer.from(createHash("sha256").digest("hex")).toString("base64")}`;
      if (`ssh-ed25519 ${wire}` !== pub || !verify(null, Buffer.from(data), key, Buffer.from(sig ?? "", "base64"))) {
        return void res.writeHead(401).end();
      }
      signed.push(req.url!);
      return void res.writeHead(200).end(JSON.stringify({ token: "t0k3n" }));
    }
    if (req.headers.authorization !== "Bearer t0k3n") {
      res.writeHead(401, { "www-authenticate": `Bearer realm="${base}/token",service="fake",scope="repository:y/z:pull"` }).end();
      return;
    }
    if (url.pathname === "/v2/y/z/manifests/t") return void res.writeHead(200).end(raw);
    const blob = /^\/v2\/y\/z\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
    if (blob) return void res.writeHead(307, { location: `${cdn.base}/${blob[1]}` }).end();
    res.writeHead(404).end();
  });
  const base = registry.base;
  try {
    const host = base.slice("http://".length);
    const store = new Store(join(tmp.dir, "fake-dst"));
    const client = createRegistryClient({ keyPath: join(home, "id_ed25519") });
    await pullModel(store, client, `${host}/y/z:t`, { insecure: true, tuning: { partSize: 256 * 1024 } });
    assert.equal(signed.length, 1, "one token for the whole pull");
    assert.match(signed[0], /^\/token\?nonce=[\w-]{22}&scope=repository%3Ay%2Fz%3Apull&service=fake&ts=\d+$/);
    assert.ok(cdnAuth.length >= 5, "ranged parts went to the CDN");
    assert.ok(cdnAuth.every((a) => a === undefined), "no credentials sent to the CDN");
    assert.ok((await readFile(store.blobs.path(manifest.layers[0].digest))).equals(await readFile(model("stories260K.gguf"))));
  } finally {
    registry.server.close();
    cdn.server.close();
  }
});

test("Basic challenges use the configured credentials, and none means access denied", async () => {
  const expected = `Basic ${Buffer.from("u:p").toString("base64")}`;
  const registry = await listen((req, res) => {
    if (req.headers.authorization !== expected) return void res.writeHead(401, { "www-authenticate": 'Basic realm="fake"' }).end();
    res.writeHead(200).end('{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{},"layers":[]}');
  });
  try {
    const name = parseName(`${registry.base.slice(7)}/a/b:c`);
    const ok = createRegistryClient({ credentials: { [name.host]: { username: "u", password: "p" } } });
    assert.match((await ok.getManifest(name, { insecure: true })).toString(), /schemaVersion/);
    await assert.rejects(createRegistryClient().getManifest(name, { insecure: true }), /^UnauthorizedError: unauthorized: access denied$/);
  } finally {
    registry.server.close();
  }
});
