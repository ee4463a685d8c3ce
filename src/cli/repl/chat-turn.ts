// One exchange with the model: stream /api/chat into the renderer, honour cancellation, record the
// answer in the session. Also the model preload and the replay of a Modelfile's MESSAGEs.

import type { Client } from "../../api/client.js";
import type { ChatResponse, Message } from "../../api/types.js";
import { ResponseRenderer, wrapWidthFor } from "./renderer.js";
import type { ChatSession } from "./session.js";
import { formatStats } from "./stats.js";

export interface TurnIO {
  client: Client;
  stdout: NodeJS.WritableStream & { columns?: number };
  stderr: NodeJS.WritableStream;
}

export type TurnOutcome = "done" | "cancelled";

/** Sends `content` as the next user message. `signal` aborting = Ctrl+C: the turn is dropped. */
export async function chatTurn(io: TurnIO, session: ChatSession, content: string, signal: AbortSignal, images?: string[]): Promise<TurnOutcome> {
  const s = session.settings;
  session.messages.push(images?.length ? { role: "user", content, images } : { role: "user", content });
  const renderer = new ResponseRenderer({
    write: (t) => io.stdout.write(t),
    wrapWidth: wrapWidthFor(io.stdout.columns, s.wordWrap),
    plain: false,
    hideThinking: s.hideThinking,
  });
  let answer = "";
  let thinking = "";
  let last: ChatResponse | undefined;
  try {
    for await (const r of io.client.chat(session.chatRequest(), signal)) {
      last = r;
      thinking += r.message?.thinking ?? "";
      answer += r.message?.content ?? "";
      renderer.thinking(r.message?.thinking ?? "");
      renderer.content(r.message?.content ?? "");
      for (const call of r.message?.tool_calls ?? []) {
        renderer.content(`\nModel called a non-existent function '${call.function.name}()' with arguments: ${JSON.stringify(call.function.arguments)}\n`);
      }
    }
  } catch (e) {
    renderer.finish();
    session.messages.pop();
    if (signal.aborted) {
      io.stdout.write("\n");
      return "cancelled";
    }
    throw e;
  }
  renderer.finish();
  io.stdout.write("\n\n");
  if (s.verbose && last) io.stderr.write(formatStats(last));
  const reply: Message = { role: "assistant", content: answer };
  if (thinking) reply.thinking = thinking;
  session.messages.push(reply);
  return "done";
}

/** Loads the model ahead of the first message; fails early, e.g. when think is not supported. */
export async function preload(io: TurnIO, session: ChatSession): Promise<void> {
  const s = session.settings;
  const req: Parameters<Client["generate"]>[0] = { model: s.model };
  if (s.keepAlive !== undefined) req.keep_alive = s.keepAlive;
  if (s.think !== undefined) req.think = s.think;
  // A first load can take a while (a published model is translated for llama.cpp then; the server logs
  // it): say so once instead of sitting silent, as Ollama's spinner would.
  const slow = setTimeout(() => io.stderr.write(`loading ${s.model}… (a first load may translate the model for llama.cpp)\n`), PRELOAD_NOTICE_MS);
  try {
    for await (const _ of io.client.generate(req)) {
      // the load-only reply carries nothing to show
    }
  } finally {
    clearTimeout(slow);
  }
}

/** How long a silent preload may take before `herd run` says what it is waiting for. */
export const PRELOAD_NOTICE_MS = 2000;

/** Shows a Modelfile's MESSAGEs as if they had been typed, and starts the history with them. */
export function replayMessages(io: TurnIO, session: ChatSession, messages: Message[] | undefined): void {
  for (const m of messages ?? []) {
    if (m.role === "user") io.stdout.write(`>>> ${m.content}\n`);
    else if (m.role === "assistant") io.stdout.write(`${m.content}\n\n`);
    session.messages.push({ ...m });
  }
}
