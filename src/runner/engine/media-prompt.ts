// The generator's two questions about a request with images: can this runner take them, and does the
// prompt they make fit. Kept apart from generator.ts so the engine's scheduling code stays about tokens.

import { BadRequestError } from "../../util/errors.js";
import type { WireCompletion } from "./protocol.js";
import type { MediaPrompt, Vision } from "./media.js";

export function prepareMedia(vision: Vision | undefined, req: WireCompletion): MediaPrompt {
  if (!vision) throw new BadRequestError("this model is missing data required for image input");
  if (typeof req.prompt !== "string") throw new BadRequestError("images need a text prompt with image markers");
  return vision.prepare(req.prompt, req.images!);
}

/** The Ollama error for a prompt longer than the context (images are never truncated away). */
export function fitMedia(positions: number[], numCtx: number, media: MediaPrompt): number[] {
  if (positions.length >= numCtx) {
    media.free();
    throw new BadRequestError(
      `the prompt is longer than the context length currently available to the model (${positions.length} tokens with its images, context ${numCtx}); shorten the prompt, send fewer images, or raise num_ctx`,
    );
  }
  if (media.end >= positions.length) {
    media.free();
    throw new BadRequestError("a prompt cannot end with an image: put some text after it");
  }
  return positions;
}
