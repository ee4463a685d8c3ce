// POST /api/generate (ollama-spec §1.2): checks, load/unload-only requests, prompt building
// (raw, suffix, template override, chat-like with truncation, legacy context), streamed response.

import type { GenerateRequest, GenerateResponse, Logprob } from "../api/types.js";
import { BadRequestError, CapabilityError } from "../util/errors.js";
import { completionRequest, runParsed } from "./completion.js";
import type { InferenceCore } from "./core.js";
import { buildMetrics, createdAt, nowNs } from "./metrics.js";
import { fitMessages, generateMessages, IMAGE_TOKENS_ESTIMATE } from "./prompt.js";
import { imagesInPrompt, keptImages, tagImages } from "./images.js";
import { checkTopLogprobs, parseFormat, RAW_MODE_ERROR, resolveThink } from "./validate.js";

/** Streams the responses in batches: each array holds the lines that are ready together (one runner batch). */
export async function* generate(core: InferenceCore, req: GenerateRequest, signal?: AbortSignal): AsyncGenerator<GenerateResponse[]> {
  const start = nowNs();
  checkTopLogprobs(req.top_logprobs);
  if (req.raw && (req.template || req.system || req.context)) throw new BadRequestError(RAW_MODE_ERROR);
  const format = parseFormat(req.format);
  const m = await core.resolve(req.model, "not-found");
  core.checkTokens(m, req.context);
  const keepAliveMs = core.keepAliveMs(req.keep_alive);
  const prompt = req.prompt ?? "";
  const head = () => ({ model: req.model, created_at: createdAt() });

  if (prompt === "" && keepAliveMs === 0) {
    await core.expire(m);
    yield [{ ...head(), response: "", done: true, done_reason: "unload" }];
    return;
  }

  const caps = core.capabilities(m);
  const renderer = core.renderer(m, false, req.template || undefined);
  core.requireCompletion(m, caps, "generate");
  if (req.suffix && !caps.has("insert")) throw new CapabilityError(`${m.longName} does not support insert`);
  const think = resolveThink(req.think, caps.has("thinking"), req.model);
  const imageBytes = core.requestImages(m, [{ images: req.images ?? undefined }]);
  const merged = core.mergeOptions(m, req.options, { renderer });

  const lease = await core.acquire(m, merged, keepAliveMs, signal, { shift: req.shift });
  const loadNs = Number(nowNs() - start);
  // Closed in `finally` too, so a consumer that stops early also ends the runner's stream.
  let steps: ReturnType<typeof runParsed> | undefined;
  try {
    if (prompt === "") {
      yield [{ ...head(), response: "", done: true, done_reason: "load" }];
      return;
    }
    const runner = lease.runner;
    const renderOpts = { think };
    let text: string;
    // Images kept in the rendered prompt, in marker order.
    let images = imageBytes;
    if (req.raw) {
      text = prompt;
    } else if (req.suffix && renderer.renderSuffix) {
      text = renderer.renderSuffix(prompt, req.suffix, renderOpts);
    } else {
      const messages = generateMessages({
        prompt,
        images: req.images,
        system: req.system,
        modelSystem: m.model.system,
        modelMessages: m.model.messages,
        hasContext: !!req.context,
      });
      // A template override is executed directly, without truncation (as Ollama).
      const fitted = await fitMessages({
        messages,
        numCtx: merged.numCtx,
        truncate: !req.template && req.truncate !== false,
        render: (msgs) => renderer.render(tagImages(msgs), renderOpts),
        tokensPerImage: m.model.projectors.length ? IMAGE_TOKENS_ESTIMATE : 0,
        countTokens: async (t) => (await runner.tokenize(t, { addSpecial: true, parseSpecial: true })).length,
        log: core.log,
      });
      text = fitted.prompt;
      images = keptImages(fitted.messages, req.images ?? [], imageBytes);
    }
    if (req.context?.length) text = (await runner.detokenize(req.context)) + text;

    if (req._debug_render_only) {
      yield [{ ...head(), response: "", done: false, _debug_info: { rendered_template: text, image_count: images.length } }];
      return;
    }
    core.log.debug?.("generate request", { images: images.length, prompt: text });
    const placed = imagesInPrompt(text, images);

    steps = runParsed({
      runner,
      renderer,
      think: think.enabled,
      thinkLevel: req.think ?? undefined,
      request: completionRequest(req, placed, merged.sampling, format, signal),
    });
    let next = await steps.next();
    while (!next.done) {
      // The lines of one batch are made at the same moment.
      const created_at = createdAt();
      yield next.value.map(({ output, logprobs }) => {
        const chunk: GenerateResponse = { model: req.model, created_at, response: output.content, done: false };
        if (output.thinking) chunk.thinking = output.thinking;
        if (logprobs?.length) chunk.logprobs = logprobs as Logprob[];
        return chunk;
      });
      next = await steps.next();
    }
    const end = next.value;
    const final: GenerateResponse = { ...head(), response: end.rest.content, done: true, done_reason: end.reason };
    if (end.rest.thinking) final.thinking = end.rest.thinking;
    if (!req.raw) final.context = end.tokens;
    Object.assign(final, buildMetrics(start, loadNs, end.timings));
    yield [final];
  } finally {
    await steps?.return(undefined as never).catch(() => undefined);
    lease.release();
  }
}
