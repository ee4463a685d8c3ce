// POST /api/chat (ollama-spec §1.3): checks, load/unload-only requests, Modelfile SYSTEM/MESSAGEs,
// history truncation, streamed message chunks with thinking and whole tool calls.

import type { ChatRequest, ChatResponse, Logprob, Message } from "../api/types.js";
import { CapabilityError } from "../util/errors.js";
import { completionRequest, runParsed } from "./completion.js";
import type { InferenceCore, ResolvedModel } from "./core.js";
import { buildMetrics, createdAt, nowNs } from "./metrics.js";
import { chatMessages, fitMessages, IMAGE_TOKENS_ESTIMATE } from "./prompt.js";
import { imagesInPrompt, keptImages, tagImages } from "./images.js";
import type { PromptRenderer } from "./renderer.js";
import type { Lease } from "./seams.js";
import { checkDepth, checkTopLogprobs, parseFormat, resolveThink, type ThinkSetting } from "./validate.js";

interface PreparedChat {
  m: ResolvedModel;
  renderer: PromptRenderer;
  think: ThinkSetting;
  messages: Message[];
  /** The request's images decoded (`images[i]` is `sent[i]`, the base64 as sent). */
  images: Uint8Array[];
  sent: string[];
}

/** Shared by chat and countChatTokens: resolution, capability checks, the full message list. */
export async function prepareChat(core: InferenceCore, req: ChatRequest): Promise<PreparedChat> {
  checkDepth(req.tools, "tools");
  checkDepth(req.messages, "messages");
  const m = await core.resolve(req.model, "required");
  const caps = core.capabilities(m);
  const renderer = core.renderer(m, true);
  core.requireCompletion(m, caps, "chat");
  if (req.tools?.length && !caps.has("tools")) throw new CapabilityError(`${m.longName} does not support tools`);
  const think = resolveThink(req.think, caps.has("thinking"), req.model);
  const request = (req.messages ?? []).map((msg) => ({ ...msg, role: String(msg.role ?? "").toLowerCase(), content: msg.content ?? "" }));
  const images = core.requestImages(m, request);
  return { m, renderer, think, messages: chatMessages(m.model.system, m.model.messages, request), images, sent: request.flatMap((msg) => msg.images ?? []) };
}

/** Streams the responses in batches: each array holds the lines that are ready together (one runner batch). */
export async function* chat(core: InferenceCore, req: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatResponse[]> {
  const start = nowNs();
  checkTopLogprobs(req.top_logprobs);
  const format = parseFormat(req.format);
  const empty = !req.messages || req.messages.length === 0;
  const head = () => ({ model: req.model, created_at: createdAt() });
  const assistant = (content = ""): Message => ({ role: "assistant", content });

  if (empty && req.keep_alive !== undefined && core.keepAliveMs(req.keep_alive) === 0) {
    const m = await core.resolve(req.model, "required");
    await core.expire(m);
    yield [{ ...head(), message: assistant(), done: true, done_reason: "unload" }];
    return;
  }
  const { m, renderer, think, messages, images: imageBytes, sent } = await prepareChat(core, req);
  const merged = core.mergeOptions(m, req.options, { renderer });
  const keepAliveMs = core.keepAliveMs(req.keep_alive);

  const lease: Lease = await core.acquire(m, merged, keepAliveMs, signal, { shift: req.shift });
  const loadNs = Number(nowNs() - start);
  // Closed in `finally` too, so a consumer that stops early also ends the runner's stream.
  let steps: ReturnType<typeof runParsed> | undefined;
  try {
    if (empty) {
      yield [{ ...head(), message: assistant(), done: true, done_reason: "load" }];
      return;
    }
    const runner = lease.runner;
    const renderOpts = { tools: req.tools, think };
    const fitted = await fitMessages({
      messages,
      numCtx: merged.numCtx,
      truncate: req.truncate !== false,
      render: (msgs) => renderer.render(tagImages(msgs), renderOpts),
      tokensPerImage: m.model.projectors.length ? IMAGE_TOKENS_ESTIMATE : 0,
      countTokens: async (t) => (await runner.tokenize(t, { addSpecial: true, parseSpecial: true })).length,
      log: core.log,
    });
    const kept = keptImages(fitted.messages, sent, imageBytes);
    if (req._debug_render_only) {
      yield [{ ...head(), message: assistant(), done: false, _debug_info: { rendered_template: fitted.prompt, image_count: kept.length } }];
      return;
    }
    // Ollama's debug line: the rendered prompt, what users read to debug a template.
    core.log.debug?.("chat request", { images: kept.length, prompt: fitted.prompt });
    const placed = imagesInPrompt(fitted.prompt, kept);

    steps = runParsed({
      runner,
      renderer,
      think: think.enabled,
      thinkLevel: req.think ?? undefined,
      tools: req.tools,
      request: completionRequest(req, placed, merged.sampling, format, signal),
    });
    const toMessage = (o: { content: string; thinking: string; toolCalls: Message["tool_calls"] }): Message => {
      const msg = assistant(o.content);
      if (o.thinking) msg.thinking = o.thinking;
      if (o.toolCalls?.length) msg.tool_calls = o.toolCalls;
      return msg;
    };
    let next = await steps.next();
    while (!next.done) {
      // The lines of one batch are made at the same moment.
      const created_at = createdAt();
      yield next.value.map(({ output, logprobs }) => {
        const chunk: ChatResponse = { model: req.model, created_at, message: toMessage(output), done: false };
        if (logprobs?.length) chunk.logprobs = logprobs as Logprob[];
        return chunk;
      });
      next = await steps.next();
    }
    const end = next.value;
    yield [
      {
        ...head(),
        message: toMessage(end.rest),
        done: true,
        done_reason: end.reason,
        ...buildMetrics(start, loadNs, end.timings),
      },
    ];
  } finally {
    await steps?.return(undefined as never).catch(() => undefined);
    lease.release();
  }
}
