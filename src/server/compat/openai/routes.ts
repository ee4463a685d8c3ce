// The OpenAI-compatible routes: parse → translate → call the native backend → translate back.
// Streams open only after the first native chunk, so early failures keep their HTTP status.

import { Hono } from "hono";
import { messageOf, statusOf } from "../../errors.js";
import type { CompatBackend } from "../backend.js";
import { readJsonObject } from "../body.js";
import { foldChat, foldGenerate } from "../../fold.js";
import { smallId } from "../ids.js";
import { rerank, rerankStatus } from "../rerank.js";
import { linkedAbort, resume, type SseEvent, sseResponse, startIterator } from "../sse.js";
import { translateChatRequest } from "./chat-request.js";
import { ChatChunkTranslator, toChatCompletion } from "./chat-response.js";
import { CompletionChunkTranslator, toCompletion, translateCompletionRequest } from "./completions.js";
import { toEmbeddingList, translateEmbeddingsRequest } from "./embeddings.js";
import { openaiErrorBody, openaiErrorResponse } from "./errors.js";
import { toModel, toModelList } from "./models.js";
import { translateResponsesRequest } from "./responses-request.js";
import { ResponsesEventTranslator, toResponse } from "./responses-response.js";
import { requestSignal } from "../../edge.js";
import { BadRequestError } from "../../../util/errors.js";

/** An error after streaming began: one `data:` line in OpenAI's error shape (the SDK throws on it). */
function inBandError(err: unknown): SseEvent[] {
  return [{ data: openaiErrorBody(messageOf(err), statusOf(err)) }];
}

/**
 * Chat and legacy completions stream the same way: each native chunk becomes zero or more `data:`
 * events, then `data: [DONE]`. The first batch is awaited first so early errors keep their status.
 */
async function dataStream<T>(
  batches: AsyncIterable<readonly T[]>,
  translator: { translate(chunk: T): Iterable<unknown> },
  abort: ReturnType<typeof linkedAbort>,
): Promise<Response> {
  const { first, rest } = await startIterator(batches);
  async function* events(): AsyncGenerator<SseEvent[]> {
    for await (const batch of resume(first, rest)) {
      const out: SseEvent[] = [];
      for (const chunk of batch) for (const data of translator.translate(chunk)) out.push({ data });
      if (out.length) yield out;
    }
    yield [{ data: "[DONE]" }];
  }
  return sseResponse(events(), inBandError, abort);
}

export function openaiRoutes(backend: CompatBackend): Hono {
  const app = new Hono();

  app.post("/v1/chat/completions", async (c) => {
    try {
      const t = translateChatRequest(await readJsonObject(c));
      const abort = linkedAbort(requestSignal(c));
      const id = smallId("chatcmpl-");
      const chunks = backend.chat(t.request, abort.signal);
      if (!t.stream) return Response.json(toChatCompletion(id, await foldChat(chunks)));
      return await dataStream(chunks, new ChatChunkTranslator(id, t.includeUsage), abort);
    } catch (err) {
      return openaiErrorResponse(err);
    }
  });

  app.post("/v1/completions", async (c) => {
    try {
      const t = translateCompletionRequest(await readJsonObject(c));
      const abort = linkedAbort(requestSignal(c));
      const id = smallId("cmpl-");
      const chunks = backend.generate(t.request, abort.signal);
      if (!t.stream) return Response.json(toCompletion(id, await foldGenerate(chunks)));
      return await dataStream(chunks, new CompletionChunkTranslator(id, t.includeUsage), abort);
    } catch (err) {
      return openaiErrorResponse(err);
    }
  });

  app.post("/v1/embeddings", async (c) => {
    try {
      const t = translateEmbeddingsRequest(await readJsonObject(c));
      const res = await backend.embed(t.request, linkedAbort(requestSignal(c)).signal);
      return Response.json(toEmbeddingList(res, t.encoding));
    } catch (err) {
      return openaiErrorResponse(err);
    }
  });

  app.get("/v1/models", async () => {
    try {
      return Response.json(toModelList(await backend.list()));
    } catch (err) {
      return openaiErrorResponse(err);
    }
  });

  // Names may hold slashes (`hf.co/user/repo:tag`), hence the greedy pattern.
  app.get("/v1/models/:model{.+}", async (c) => {
    const model = c.req.param("model");
    try {
      const show = await backend.show(model);
      return Response.json(toModel(model, show.modified_at));
    } catch (err) {
      return openaiErrorResponse(err);
    }
  });

  app.post("/v1/responses", async (c) => {
    try {
      const t = translateResponsesRequest(await readJsonObject(c));
      const abort = linkedAbort(requestSignal(c));
      const id = smallId("resp_");
      const chunks = backend.chat(t.request, abort.signal);
      if (!t.stream) return Response.json(toResponse(id, await foldChat(chunks), t.echo));
      const { first, rest } = await startIterator(chunks);
      const translator = new ResponsesEventTranslator(id, t.request.model, t.echo);
      async function* events(): AsyncGenerator<SseEvent[]> {
        yield translator.start();
        for await (const batch of resume(first, rest)) yield batch.flatMap((chunk) => translator.translate(chunk));
      }
      return sseResponse(events(), (err) => translator.failed(messageOf(err)), abort);
    } catch (err) {
      return openaiErrorResponse(err);
    }
  });

  app.post("/v1/rerank", async (c) => {
    try {
      const body = await readJsonObject(c);
      return Response.json(await rerank(backend, body, linkedAbort(requestSignal(c)).signal));
    } catch (err) {
      const status = rerankStatus(err);
      return Response.json(openaiErrorBody(messageOf(err), status), { status });
    }
  });

  // Ollama transcribes with models that take audio; herd runs none, so the request gets a clear error.
  app.post("/v1/audio/transcriptions", () => openaiErrorResponse(new BadRequestError("audio transcription is not supported: herd runs no audio models")));

  return app;
}
