// Runs the real CLI in a child process: from source under tsx, or the compiled entry in dist/.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ENTRY = fileURLToPath(new URL(import.meta.url.endsWith(".ts") ? "./entry.ts" : "./entry.js", import.meta.url));

/** The argv that starts the CLI (`node [--import tsx] entry`), for spawn or a terminal. */
export function cliArgv(): string[] {
  return [process.execPath, ...process.execArgv, ENTRY];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { env: NodeJS.ProcessEnv; stdin?: string; timeoutMs?: number }): Promise<CliResult> {
  const [cmd, ...pre] = cliArgv();
  const child = spawn(cmd, [...pre, ...args], { env: opts.env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  child.stdin.end(opts.stdin ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 20_000);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
