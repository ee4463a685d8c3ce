// Spawns `herd serve` on a free loopback port with its own HOME and store, and runs CLI commands.

import { freePort } from "../../src/testing/net.js";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
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
  /** The `herd serve` process. */
  pid: number;
  home: string;
  env: NodeJS.ProcessEnv;
  logs: () => string;
  /** Resolves when the log matches `pattern` (lines written after a response ends come a moment later). */
  waitForLog: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
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
    pid: child.pid!,
    home: dir,
    env,
    logs: () => logs,
    waitForLog: async (pattern, timeoutMs = 5_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(logs)) {
        if (Date.now() > deadline) throw new Error(`the server log never matched ${pattern}:\n${logs}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      cleanup();
    },
  };
}

/** Live child processes of `pid` (the runners of a server), from /proc; empty where there is no /proc. */
export function childPids(pid: number): number[] {
  if (!existsSync("/proc")) return [];
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after the parenthesised command: state, ppid, …
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === pid && fields[0] !== "Z") out.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** The children of a server that run a model: titled "herd runner" (not the spare child waiting for a load). */
export function runnerPids(pid: number): number[] {
  return childPids(pid).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0")[0] === "herd runner";
    } catch {
      return false;
    }
  });
}

/** Uploads a GGUF as a blob and creates `name` from it over HTTP, as the CLI does. */
export async function createModel(url: string, name: string, ggufPath: string, extra: Record<string, unknown> = {}): Promise<void> {
  const bytes = readFileSync(ggufPath);
  const digest = "sha256:" + createHash("sha256").update(bytes).digest("hex");
  const up = await fetch(`${url}/api/blobs/${digest}`, { method: "POST", body: bytes });
  if (up.status !== 201 && up.status !== 200) throw new Error(`blob upload: ${up.status}`);
  const res = await fetch(`${url}/api/create`, { method: "POST", body: JSON.stringify({ model: name, files: { "model.gguf": digest }, stream: false, ...extra }) });
  if (res.status !== 200) throw new Error(`create: ${res.status} ${await res.text()}`);
}
