// Beyond Ollama: `herd run` with no server answering starts `herd serve` in the background (logging to
// ~/.ollama/logs/server.log) and waits for its heartbeat, instead of failing with "could not connect".

import { spawn } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { ConnectionError } from "../api/client.js";
import type { CliContext } from "./context.js";
import { ServerDownError } from "./context.js";

export function serverLogPath(env: NodeJS.ProcessEnv): string {
  return join(env.HOME || homedir(), ".ollama", "logs", "server.log");
}

/** Starts this same executable as `serve`, detached, its output appended to the server log. */
export function spawnBackgroundServer(env: NodeJS.ProcessEnv): void {
  const log = serverLogPath(env);
  mkdirSync(join(log, ".."), { recursive: true });
  const fd = openSync(log, "a");
  // execArgv keeps loaders such as tsx when the CLI itself runs from source.
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], "serve"], {
    detached: true,
    stdio: ["ignore", fd, fd],
    env,
  });
  child.unref();
}

export interface AutostartOptions {
  /** How to start the server; the default spawns `herd serve`. */
  start?: (env: NodeJS.ProcessEnv) => void;
  timeoutMs?: number;
}

/** Resolves once a server answers the heartbeat, starting one if none does. */
export async function ensureServer(ctx: CliContext, opts: AutostartOptions = {}): Promise<void> {
  try {
    await ctx.client.heartbeat();
    return;
  } catch (e) {
    if (!(e instanceof ConnectionError)) throw e;
  }
  ctx.stderr.write("Starting herd server...\n");
  (opts.start ?? spawnBackgroundServer)(ctx.env);
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      await ctx.client.heartbeat();
      return;
    } catch (e) {
      if (!(e instanceof ConnectionError)) throw e;
      if (Date.now() > deadline) throw new ServerDownError(ctx.baseUrl);
    }
  }
}
