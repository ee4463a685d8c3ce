// Response ids in each dialect's format. OpenAI ids follow Ollama (`chatcmpl-<0..998>`), Anthropic ids
// are `msg_` + 24 hex digits like Anthropic's own.

import { randomBytes, randomInt } from "node:crypto";

export function smallId(prefix: string): string {
  return `${prefix}${randomInt(0, 999)}`;
}

export function hexId(prefix: string, hexDigits: number): string {
  return prefix + randomBytes(Math.ceil(hexDigits / 2)).toString("hex").slice(0, hexDigits);
}

const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `call_` + 8 chars of [a-z0-9], the id Ollama gives tool calls that came without one. */
export function toolCallId(): string {
  let s = "call_";
  for (let i = 0; i < 8; i++) s += ALNUM[randomInt(0, ALNUM.length)];
  return s;
}

export function unixSeconds(date: Date | string = new Date()): number {
  const ms = typeof date === "string" ? Date.parse(date) : date.getTime();
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}
