// Building the message list Ollama renders (Modelfile SYSTEM and MESSAGEs injected) and fitting
// chat history into num_ctx by dropping the oldest non-system messages (ollama-spec §1.2, §1.3, §11.4).

import type { Message } from "../api/types.js";

/** `/api/chat`: Modelfile MESSAGEs first; Modelfile SYSTEM in front unless the request starts with a system message. */
export function chatMessages(modelSystem: string | undefined, modelMessages: readonly Message[], request: readonly Message[]): Message[] {
  const msgs = [...modelMessages, ...request];
  if (modelSystem && request[0]?.role !== "system") msgs.unshift({ role: "system", content: modelSystem });
  return msgs;
}

export interface GenerateMessagesInput {
  prompt: string;
  images?: string[];
  /** The request's system, which overrides the model's. */
  system?: string;
  modelSystem?: string;
  modelMessages: readonly Message[];
  /** A legacy `context` was sent: Modelfile MESSAGEs are then left out. */
  hasContext: boolean;
}

/** `/api/generate` on a chat template: `[system?] + MESSAGEs (if no context) + user prompt`. */
export function generateMessages(input: GenerateMessagesInput): Message[] {
  const msgs: Message[] = [];
  const system = input.system || input.modelSystem;
  if (system) msgs.push({ role: "system", content: system });
  if (!input.hasContext) msgs.push(...input.modelMessages);
  const user: Message = { role: "user", content: input.prompt };
  if (input.images?.length) user.images = input.images;
  msgs.push(user);
  return msgs;
}

export interface FitMessagesInput {
  messages: readonly Message[];
  numCtx: number;
  /** false: keep everything; the runner then refuses a prompt that is too long. */
  truncate: boolean;
  render(messages: Message[]): string | Promise<string>;
  countTokens(text: string): Promise<number>;
  /** What each image of a kept message costs (Ollama counts 768 when the model has a projector). */
  tokensPerImage?: number;
  /** Where dropping messages is logged (debug, as Ollama). */
  log?: { debug?(msg: string, fields?: Record<string, unknown>): void };
}

/** Ollama's estimate for an image in the history (chatPrompt's `imageNumTokens`). */
export const IMAGE_TOKENS_ESTIMATE = 768;

/**
 * Ollama's `chatPrompt`: the last message always stays; walking back, older messages are kept while
 * the rendered prompt (with every system message that precedes the kept range) fits in num_ctx.
 */
export async function fitMessages(input: FitMessagesInput): Promise<{ prompt: string; messages: Message[]; dropped: number }> {
  const msgs = input.messages;
  const withSystems = (from: number): Message[] => [
    ...msgs.slice(0, from).filter((m) => m.role === "system"),
    ...msgs.slice(from),
  ];
  const cost = async (kept: Message[], text: string) =>
    (await input.countTokens(text)) + (input.tokensPerImage ?? 0) * kept.reduce((n, m) => n + (m.images?.length ?? 0), 0);
  const full = await input.render(msgs.slice());
  if (!input.truncate || msgs.length <= 1 || (await cost(msgs.slice(), full)) <= input.numCtx) {
    return { prompt: full, messages: msgs.slice(), dropped: 0 };
  }
  let start = msgs.length - 1;
  for (let i = msgs.length - 2; i >= 0; i--) {
    const candidate = withSystems(i);
    if ((await cost(candidate, await input.render(candidate))) > input.numCtx) break;
    start = i;
  }
  const kept = withSystems(start);
  const dropped = msgs.length - kept.length;
  // Ollama's line, word for word: tools grep server logs for it.
  input.log?.debug?.("truncating input messages which exceed context length", { truncated: dropped });
  return { prompt: await input.render(kept), messages: kept, dropped };
}
