// Inference routes (ollama-spec §1.2, §1.3, §1.6, §1.5 ps): NDJSON streams or folded bodies.

import type { Hono } from "hono";
import type { ChatRequest, EmbeddingRequest, EmbedRequest, GenerateRequest } from "../../api/types.js";
import { readBody } from "../body.js";
import { chatSchema, embeddingsSchema, embedSchema, generateSchema } from "../schemas.js";
import type { AppDeps } from "../deps.js";
import { chatBody, foldChat, foldGenerate, generateBody } from "../fold.js";
import { jsonOrError, ndjson } from "../stream.js";
import { requestSignal } from "../edge.js";

export function inferenceRoutes(app: Hono, deps: AppDeps): void {
  const { inference } = deps;

  app.post("/api/generate", async (c) => {
    const req = (await readBody(c, generateSchema, "GenerateRequest")) as GenerateRequest;
    const chunks = inference.generate(req, requestSignal(c));
    return req.stream === false ? jsonOrError(foldGenerate(chunks).then(generateBody)) : ndjson(chunks);
  });

  app.post("/api/chat", async (c) => {
    const req = (await readBody(c, chatSchema, "ChatRequest")) as ChatRequest;
    const chunks = inference.chat(req, requestSignal(c));
    return req.stream === false ? jsonOrError(foldChat(chunks).then(chatBody)) : ndjson(chunks);
  });

  app.post("/api/embed", async (c) => {
    const req = (await readBody(c, embedSchema, "EmbedRequest")) as EmbedRequest;
    return c.json(await inference.embed(req, requestSignal(c)));
  });

  app.post("/api/embeddings", async (c) => {
    const req = (await readBody(c, embeddingsSchema, "EmbeddingRequest")) as EmbeddingRequest;
    return c.json(await inference.embeddings(req, requestSignal(c)));
  });

  app.get("/api/ps", async (c) => c.json(await inference.ps()));
}
