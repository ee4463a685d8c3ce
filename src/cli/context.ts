// What every client command shares: the API client for OLLAMA_HOST and the "is a server there" check.

import { Client, ConnectionError } from "../api/client.js";
import { httpFetch } from "../api/http-fetch.js";
import { connectableHost, envVar, hostUrl, parseHost } from "../config/env.js";

export interface CliContext {
  client: Client;
  baseUrl: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export function makeContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const baseUrl = hostUrl(connectableHost(parseHost(envVar(env, "OLLAMA_HOST") || "127.0.0.1:11434")));
  return { client: new Client(baseUrl, httpFetch), baseUrl, env, stdout: process.stdout, stderr: process.stderr };
}

/** Friendly message for a client whose server is not running (Ollama's heartbeat check). */
export class ServerDownError extends Error {
  constructor(baseUrl: string) {
    super(`could not connect to herd server at ${baseUrl}, run 'herd serve' to start it`);
  }
}

export async function requireServer(ctx: CliContext): Promise<void> {
  try {
    await ctx.client.heartbeat();
  } catch (e) {
    if (e instanceof ConnectionError) throw new ServerDownError(ctx.baseUrl);
    throw e;
  }
}
