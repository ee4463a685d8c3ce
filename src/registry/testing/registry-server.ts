// Test helper: a real CNCF distribution server (Debian's docker-registry, which `npm test` installs through
// scripts/system-tools.mjs) on a free loopback port with throwaway storage.

import { freePort } from "../../testing/net.js";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REGISTRY_BIN = process.env.HERD_REGISTRY_BIN ?? "/usr/bin/docker-registry";

export interface RegistryAuth {
  /** `auth: htpasswd` with this file's bcrypt entries. */
  htpasswd?: string;
  /** `auth: token`. */
  token?: { realm: string; service: string; issuer: string; rootcertbundle: string };
}

export interface TestRegistry {
  /** `127.0.0.1:<port>`: the host part of model names. */
  host: string;
  port: number;
  url: string;
  /** Storage root (`docker/registry/v2/…` below it). */
  storage: string;
  /** Path of a blob's bytes inside the registry's storage. */
  blobDataPath(digest: string): string;
  stop(): Promise<void>;
}


function authYaml(auth?: RegistryAuth): string {
  if (auth?.htpasswd) return `auth:\n  htpasswd:\n    realm: herd-test\n    path: ${auth.htpasswd}\n`;
  if (auth?.token) {
    const t = auth.token;
    return `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.rootcertbundle}\n`;
  }
  return "";
}

export async function startRegistry(opts: { auth?: RegistryAuth; port?: number } = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "herd-registry-"));
  const storage = join(dir, "storage");
  const port = opts.port ?? (await freePort());
  const config = join(dir, "config.yml");
  await writeFile(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${storage}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "  secret: herd-test-secret",
      authYaml(opts.auth),
    ].join("\n"),
  );
  const child = spawn(REGISTRY_BIN, ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
    try {
      const res = await fetch(`${url}/v2/`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`docker-registry did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: `127.0.0.1:${port}`,
    port,
    url,
    storage,
    blobDataPath: (digest) => {
      const hex = digest.replace(/^sha256[:-]/, "");
      return join(storage, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
