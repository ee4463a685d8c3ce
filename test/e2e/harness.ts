// Spawns `herd serve` on a free loopback port with its own HOME and store, and runs CLI commands.

import { freePort } from "../../src/testing/net.js";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, tempDir } from "../../src/testing/fixtures.js";

export const HERD_BIN = join(REPO_ROOT, "bin", "herd.js");


export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HERD_BIN, ...args], { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

export interface ServerHandle {
  url: string;
  home: string;
  env: NodeJS.ProcessEnv;
  logs: () => string;
  stop: () => Promise<void>;
}

export async function startServer(extraEnv: Record<string, string> = {}): Promise<ServerHandle> {
  const { dir, cleanup } = tempDir("herd-e2e-");
  const port = await freePort();
  mkdirSync(join(dir, "models"), { recursive: true });
  const env = {
    ...process.env,
    HOME: dir,
    OLLAMA_HOST: `127.0.0.1:${port}`,
    OLLAMA_MODELS: join(dir, "models"),
    ...extraEnv,
  };
  const child = spawn(process.execPath, [HERD_BIN, "serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let logs = "";
  child.stdout.on("data", (d) => (logs += d));
  child.stderr.on("data", (d) => (logs += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (true) {
    try {
      const r = await fetch(url);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      cleanup();
      throw new Error(`herd serve did not start:\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    home: dir,
    env,
    logs: () => logs,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      cleanup();
    },
  };
}
