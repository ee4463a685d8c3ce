// Test helpers for the HTTP edge: an app over a temp store with the real model service and an
// inference service that refuses everything (management routes need no engine).

import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import type { Hono } from "hono";
import { Models } from "../models/index.js";
import { Store } from "../store/index.js";
import { tempDir } from "../testing/fixtures.js";
import { createApp } from "./app.js";
import type { AppDeps, InferenceService } from "./deps.js";

export const noInference: InferenceService = {
  generate: () => {
    throw new Error("no engine in this test");
  },
  chat: () => {
    throw new Error("no engine in this test");
  },
  embed: async () => {
    throw new Error("no engine in this test");
  },
  embeddings: async () => {
    throw new Error("no engine in this test");
  },
  countChatTokens: async () => 0,
  rerank: async () => [],
  ps: async () => ({ models: [] }),
  unload: async () => {},
};

export function testApp(overrides: Partial<AppDeps> = {}): { app: Hono; store: Store; models: Models; cleanup: () => void } {
  const { dir, cleanup } = tempDir("herd-app-");
  const store = new Store(dir);
  const models = new Models({ store });
  const app = createApp({
    store,
    models,
    inference: noInference,
    origins: ["http://localhost", "http://localhost:*"],
    boundToLoopback: true,
    version: "0.0.0-test",
    ...overrides,
  });
  return { app, store, models, cleanup };
}

export function fileDigest(path: string): { digest: string; bytes: Buffer } {
  const bytes = readFileSync(path);
  return { digest: "sha256:" + createHash("sha256").update(bytes).digest("hex"), bytes };
}

export function post(app: Hono, path: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: "POST",
      body: typeof body === "string" ? body : JSON.stringify(body),
      headers: { "Content-Type": "application/json" },
      ...init,
    }),
  );
}

/** Uploads a file as a blob and creates a model from it. Returns the NDJSON lines. */
export async function createFromFile(app: Hono, name: string, path: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>[]> {
  const { digest, bytes } = fileDigest(path);
  const up = await app.request(`/api/blobs/${digest}`, { method: "POST", body: new Uint8Array(bytes) });
  if (up.status !== 201 && up.status !== 200) throw new Error(`blob upload: ${up.status} ${await up.text()}`);
  const res = await post(app, "/api/create", { model: name, files: { "model.gguf": digest }, ...extra });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`create: ${res.status} ${text}`);
  return text.trim().split("\n").map((l) => JSON.parse(l));
}
