import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPublicKey, verify } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../testing/fixtures.js";
import { ensureKeyPair, loadIdentity, signChallenge } from "./keys.js";

test("ensureKeyPair writes an OpenSSH key that ssh-keygen reads, once", async () => {
  const home = tempDir("herd-keys-");
  try {
    const pub = await ensureKeyPair(home.dir);
    assert.match(pub, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]+=*$/);
    const keyPath = join(home.dir, "id_ed25519");
    assert.equal((await stat(keyPath)).mode & 0o777, 0o600);
    assert.equal((await readFile(`${keyPath}.pub`, "utf8")).trim(), pub);
    assert.equal(execFileSync("ssh-keygen", ["-y", "-f", keyPath], { encoding: "utf8" }).trim(), pub);
    assert.equal(await ensureKeyPair(home.dir), pub, "an existing key is kept");
  } finally {
    home.cleanup();
  }
});

test("a key made by ssh-keygen (as Ollama's is) loads and signs verifiably", async () => {
  const home = tempDir("herd-keys-");
  try {
    const keyPath = join(home.dir, "id_ed25519");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", keyPath]);
    const id = await loadIdentity(keyPath);
    assert.equal(id.publicKey, (await readFile(`${keyPath}.pub`, "utf8")).trim().split(" ").slice(0, 2).join(" "));
    const data = "GET,https://registry.ollama.ai/v2/token?nonce=x,abc";
    const [wire, sig] = signChallenge(id, data).split(":");
    assert.equal(`ssh-ed25519 ${wire}`, id.publicKey);
    const raw = Buffer.from(wire, "base64").subarray(-32);
    const pubKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
    assert.equal(verify(null, Buffer.from(data), pubKey, Buffer.from(sig, "base64")), true);
  } finally {
    home.cleanup();
  }
});

test("garbage and encrypted keys are refused", async () => {
  const home = tempDir("herd-keys-");
  try {
    const keyPath = join(home.dir, "enc");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "secret", "-f", keyPath]);
    await assert.rejects(loadIdentity(keyPath), /encrypted openssh keys are not supported/);
    await assert.rejects(loadIdentity(join(home.dir, "missing")), { code: "ENOENT" });
  } finally {
    home.cleanup();
  }
});
