// The Ed25519 identity at `~/.ollama/id_ed25519` (ollama-spec §13.3), in OpenSSH's container format
// so Ollama and herd can share one key. node:crypto signs Ed25519 but cannot read or write the
// OpenSSH container, so that encoding lives here.

import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

const MAGIC = Buffer.from("openssh-key-v1\0");
const KEY_TYPE = "ssh-ed25519";

export interface Identity {
  privateKey: KeyObject;
  /** Raw 32-byte Ed25519 public key. */
  publicRaw: Buffer;
  /** `ssh-ed25519 AAAA…` (no comment), as Ollama prints it. */
  publicKey: string;
}

function sshString(b: Buffer | string): Buffer {
  const body = typeof b === "string" ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** The SSH wire encoding of the public key: string "ssh-ed25519", string key. */
export function publicWire(publicRaw: Buffer): Buffer {
  return Buffer.concat([sshString(KEY_TYPE), sshString(publicRaw)]);
}

class Reader {
  private off = 0;
  constructor(private readonly buf: Buffer) {}
  u32(): number {
    if (this.off + 4 > this.buf.length) throw new Error("invalid openssh key: truncated");
    const n = this.buf.readUInt32BE(this.off);
    this.off += 4;
    return n;
  }
  bytes(): Buffer {
    const n = this.u32();
    if (this.off + n > this.buf.length) throw new Error("invalid openssh key: truncated");
    const b = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return b;
  }
}

export function encodeOpenSSHPrivateKey(seed: Buffer, publicRaw: Buffer, comment = ""): string {
  const check = randomBytes(4);
  let priv = Buffer.concat([
    check,
    check,
    sshString(KEY_TYPE),
    sshString(publicRaw),
    sshString(Buffer.concat([seed, publicRaw])),
    sshString(comment),
  ]);
  const pad: number[] = [];
  for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i);
  priv = Buffer.concat([priv, Buffer.from(pad)]);
  const body = Buffer.concat([
    MAGIC,
    sshString("none"),
    sshString("none"),
    sshString(""),
    uint32(1),
    sshString(publicWire(publicRaw)),
    sshString(priv),
  ]);
  const b64 = body.toString("base64").replace(/(.{70})/g, "$1\n");
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64.replace(/\n$/, "")}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

export function decodeOpenSSHPrivateKey(pem: string): { seed: Buffer; publicRaw: Buffer } {
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(pem);
  if (!m) throw new Error("invalid openssh key: no PEM block");
  const buf = Buffer.from(m[1].replace(/\s+/g, ""), "base64");
  if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error("invalid openssh key: bad magic");
  const r = new Reader(buf.subarray(MAGIC.length));
  const cipher = r.bytes().toString();
  r.bytes(); // kdf name
  r.bytes(); // kdf options
  if (cipher !== "none") throw new Error("encrypted openssh keys are not supported");
  if (r.u32() !== 1) throw new Error("invalid openssh key: expected one key");
  r.bytes(); // public key blob, repeated inside the private section
  const p = new Reader(r.bytes());
  if (p.u32() !== p.u32()) throw new Error("invalid openssh key: checkint mismatch");
  if (p.bytes().toString() !== KEY_TYPE) throw new Error("openssh key is not ed25519");
  const publicRaw = Buffer.from(p.bytes());
  const both = p.bytes();
  return { seed: Buffer.from(both.subarray(0, 32)), publicRaw };
}

function identityFrom(seed: Buffer, publicRaw: Buffer): Identity {
  const privateKey = createPrivateKey({
    key: { kty: "OKP", crv: "Ed25519", d: seed.toString("base64url"), x: publicRaw.toString("base64url") },
    format: "jwk",
  });
  return { privateKey, publicRaw, publicKey: `${KEY_TYPE} ${publicWire(publicRaw).toString("base64")}` };
}

export async function loadIdentity(keyPath: string): Promise<Identity> {
  const { seed, publicRaw } = decodeOpenSSHPrivateKey(await readFile(keyPath, "utf8"));
  return identityFrom(seed, publicRaw);
}

/**
 * Ensures `<ollamaHome>/id_ed25519` (+ `.pub`) exists — `ollamaHome` is `~/.ollama` — creating an
 * OpenSSH-format key when missing, and returns the public key string `ssh-ed25519 AAAA…`.
 */
export async function ensureKeyPair(ollamaHome: string): Promise<string> {
  const dir = ollamaHome;
  const keyPath = join(dir, "id_ed25519");
  try {
    return (await loadIdentity(keyPath)).publicKey;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  const seed = Buffer.from(jwk.d!, "base64url");
  const publicRaw = Buffer.from(jwk.x!, "base64url");
  await mkdir(dir, { recursive: true, mode: 0o755 });
  // `wx`: two processes racing to create the key must not overwrite each other's.
  try {
    await writeFile(keyPath, encodeOpenSSHPrivateKey(seed, publicRaw), { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return (await loadIdentity(keyPath)).publicKey;
    throw e;
  }
  const id = identityFrom(seed, publicRaw);
  await writeFile(`${keyPath}.pub`, `${id.publicKey}\n`, { mode: 0o644 });
  return id.publicKey;
}

/** Ollama's `auth.Sign`: `<base64 public key wire bytes>:<base64 signature>`. */
export function signChallenge(id: Identity, data: Buffer | string): string {
  const sig = sign(null, typeof data === "string" ? Buffer.from(data) : data, id.privateKey);
  return `${publicWire(id.publicRaw).toString("base64")}:${sig.toString("base64")}`;
}
