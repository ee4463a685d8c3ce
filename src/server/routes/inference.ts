// Inference routes (ollama-spec §1.2, §1.3, §1.6, §1.5 ps): NDJSON streams or folded bodies.

import type { Hono } from "hono";
import type { ChatResponse, GenerateResponse, Logprob, ToolCall } from "../../api/types.js";
import type { ChatRequest, EmbeddingRequest, EmbedRequest, GenerateRequest } from "../../api/types.js";
import { readBody } from "../body.js";
import { chatSchema, embeddingsSchema, embedSchema, generateSchema } from "../schemas.js";
import type { AppDeps } from "../deps.js";
import { folded, ndjson } from "../stream.js";

/** `stream:false`: text fields concatenated, everything else from the last chunk (§1.2). */
export function foldGenerate(chunks: GenerateResponse[]): GenerateResponse {
  const last = { ...chunks[chunks.length - 1] };
  last.response = chunks.map((c) => c.response).join("");
  const thinking = chunks.map((c) => c.thinking ?? "").join("");
  if (thinking) last.thinking = thinking;
  const calls = chunks.flatMap((c) => c.tool_calls ?? []);
  if (calls.length) last.tool_calls = calls;
  const lp = chunks.flatMap((c) => c.logprobs ?? []);
  if (lp.length) last.logprobs = lp;
  return last;
}

export function foldChat(chunks: ChatResponse[]): ChatResponse {
  const last = { ...chunks[chunks.length - 1] };
  const content = chunks.map((c) => c.message?.content ?? "").join("");
  const thinking = chunks.map((c) => c.message?.thinking ?? "").join("");
  const calls: ToolCall[] = chunks.flatMap((c) => c.message?.tool_calls ?? []);
  const lp: Logprob[] = chunks.flatMap((c) => c.logprobs ?? []);
  last.message = { role: "assistant", content };
  if (thinking) last.message.thinking = thinking;
  if (calls.length) last.message.tool_calls = calls;
  if (lp.length) last.logprobs = lp;
  return last;
}

export function inferenceRoutes(app: Hono, deps: AppDeps): void {
  const { inference } = deps;

  app.post("/api/generate", async (c) => {
    const req = (await readBody(c, generateSchema, "GenerateRequest")) as GenerateRequest;
    const chunks = inference.generate(req, c.req.raw.signal);
    return req.stream === false ? folded(chunks, foldGenerate) : ndjson(chunks);
  });

  app.post("/api/chat", async (c) => {
    const req = (await readBody(c, chatSchema, "ChatRequest")) as ChatRequest;
    const chunks = inference.chat(req, c.req.raw.signal);
    return req.stream === false ? folded(chunks, foldChat) : ndjson(chunks);
  });

  app.post("/api/embed", async (c) => {
    const req = (await readBody(c, embedSchema, "EmbedRequest")) as EmbedRequest;
    return c.json(await inference.embed(req, c.req.raw.signal));
  });

  app.post("/api/embeddings", async (c) => {
    const req = (await readBody(c, embeddingsSchema, "EmbeddingRequest")) as EmbeddingRequest;
    return c.json(await inference.embeddings(req, c.req.raw.signal));
  });

  app.get("/api/ps", async (c) => c.json(await inference.ps()));
}
