// Folds a native stream (batches of chunks, see Inference.generate) into one result, the way Ollama builds its `stream:false` body: text fields
// concatenated, tool calls and logprobs collected, everything else from the final chunk. The native
// routes answer with `chatBody`/`generateBody`; the compat translators read the folded parts.

import type { ChatResponse, GenerateResponse, Logprob, ToolCall } from "../api/types.js";

export interface FoldedChat {
  content: string;
  thinking: string;
  toolCalls: ToolCall[];
  logprobs: Logprob[];
  last: ChatResponse;
}

export async function foldChat(batches: AsyncIterable<readonly ChatResponse[]>): Promise<FoldedChat> {
  let content = "";
  let thinking = "";
  const toolCalls: ToolCall[] = [];
  const logprobs: Logprob[] = [];
  let last: ChatResponse | undefined;
  for await (const batch of batches) {
    for (const chunk of batch) {
      content += chunk.message?.content ?? "";
      thinking += chunk.message?.thinking ?? "";
      toolCalls.push(...(chunk.message?.tool_calls ?? []));
      logprobs.push(...(chunk.logprobs ?? []));
      last = chunk;
    }
  }
  if (!last) throw new Error("the model produced no response");
  return { content, thinking, toolCalls, logprobs, last };
}

export interface FoldedGenerate {
  response: string;
  thinking: string;
  toolCalls: ToolCall[];
  logprobs: Logprob[];
  last: GenerateResponse;
}

export async function foldGenerate(batches: AsyncIterable<readonly GenerateResponse[]>): Promise<FoldedGenerate> {
  let response = "";
  let thinking = "";
  const toolCalls: ToolCall[] = [];
  const logprobs: Logprob[] = [];
  let last: GenerateResponse | undefined;
  for await (const batch of batches) {
    for (const chunk of batch) {
      response += chunk.response ?? "";
      thinking += chunk.thinking ?? "";
      toolCalls.push(...(chunk.tool_calls ?? []));
      logprobs.push(...(chunk.logprobs ?? []));
      last = chunk;
    }
  }
  if (!last) throw new Error("the model produced no response");
  return { response, thinking, toolCalls, logprobs, last };
}

/** Ollama's `/api/generate` body for `stream: false`. */
export function generateBody(f: FoldedGenerate): GenerateResponse {
  const body: GenerateResponse = { ...f.last, response: f.response };
  if (f.thinking) body.thinking = f.thinking;
  if (f.toolCalls.length) body.tool_calls = f.toolCalls;
  if (f.logprobs.length) body.logprobs = f.logprobs;
  return body;
}

/** Ollama's `/api/chat` body for `stream: false`. */
export function chatBody(f: FoldedChat): ChatResponse {
  const body: ChatResponse = { ...f.last, message: { role: "assistant", content: f.content } };
  if (f.thinking) body.message.thinking = f.thinking;
  if (f.toolCalls.length) body.message.tool_calls = f.toolCalls;
  if (f.logprobs.length) body.logprobs = f.logprobs;
  return body;
}
