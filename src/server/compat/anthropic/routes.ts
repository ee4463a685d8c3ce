// The Anthropic-compatible routes. Like the OpenAI ones, a stream opens only after the first native
// chunk; later failures become an `error` event, which the SDK raises as an APIError.

import { Hono } from "hono";
import { messageOf, statusOf } from "../../errors.js";
import type { ChatRequest } from "../../../api/types.js";
import type { CompatBackend } from "../backend.js";
import { readJsonObject } from "../body.js";
import { foldChat } from "../../fold.js";
import { hexId } from "../ids.js";
import { linkedAbort, resume, type SseEvent, sseResponse, startIterator } from "../sse.js";
import { anthropicErrorBody, anthropicErrorResponse } from "./errors.js";
import { translateMessagesRequest } from "./request.js";
import { MessageEventTranslator, toMessage } from "./response.js";
import { requestSignal } from "../../edge.js";

/**
 * Coding agents send `thinking` to every model; Ollama drops it for models without the capability
 * instead of failing (its `relax_thinking`). Only asked when thinking was requested.
 */
async function relaxThinking(backend: CompatBackend, request: ChatRequest): Promise<void> {
  if (request.think === undefined || request.think === false) return;
  const show = await backend.show(request.model);
  if (!show.capabilities.includes("thinking")) delete request.think;
}

export function anthropicRoutes(backend: CompatBackend): Hono {
  const app = new Hono();

  app.post("/v1/messages", async (c) => {
    try {
      const t = translateMessagesRequest(await readJsonObject(c));
      await relaxThinking(backend, t.request);
      const abort = linkedAbort(requestSignal(c));
      const id = hexId("msg_", 24);
      const chunks = backend.chat(t.request, abort.signal);
      if (!t.stream) return Response.json(toMessage(id, await foldChat(chunks)));
      const { first, rest } = await startIterator(chunks);
      const translator = new MessageEventTranslator(id, t.request.model, t.estimatedInputTokens);
      async function* events(): AsyncGenerator<SseEvent[]> {
        yield translator.start();
        for await (const batch of resume(first, rest)) yield batch.flatMap((chunk) => translator.translate(chunk));
      }
      const onError = (err: unknown): SseEvent[] => {
        const { type, error } = anthropicErrorBody(messageOf(err), statusOf(err));
        return [{ event: "error", data: { type, error } }];
      };
      return sseResponse(events(), onError, abort);
    } catch (err) {
      return anthropicErrorResponse(err);
    }
  });

  app.post("/v1/messages/count_tokens", async (c) => {
    try {
      const t = translateMessagesRequest(await readJsonObject(c), { requireMaxTokens: false });
      await relaxThinking(backend, t.request);
      const count = await backend.countChatTokens(t.request, linkedAbort(requestSignal(c)).signal);
      return Response.json({ input_tokens: count });
    } catch (err) {
      return anthropicErrorResponse(err);
    }
  });

  return app;
}
