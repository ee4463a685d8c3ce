// Folds a native chat stream into one result, the way Ollama builds its `stream:false` body: text
// fields concatenated, tool calls and logprobs collected, everything else from the final chunk.

import type { ChatResponse, GenerateResponse, Logprob, ToolCall } from "../../api/types.js";

export interface FoldedChat {
  content: string;
  thinking: string;
  toolCalls: ToolCall[];
  logprobs: Logprob[];
  last: ChatResponse;
}

export async function foldChat(chunks: AsyncIterable<ChatResponse>): Promise<FoldedChat> {
  let content = "";
  let thinking = "";
  const toolCalls: ToolCall[] = [];
  const logprobs: Logprob[] = [];
  let last: ChatResponse | undefined;
  for await (const chunk of chunks) {
    content += chunk.message?.content ?? "";
    thinking += chunk.message?.thinking ?? "";
    toolCalls.push(...(chunk.message?.tool_calls ?? []));
    logprobs.push(...(chunk.logprobs ?? []));
    last = chunk;
  }
  if (!last) throw new Error("the model produced no response");
  return { content, thinking, toolCalls, logprobs, last };
}

export interface FoldedGenerate {
  response: string;
  thinking: string;
  logprobs: Logprob[];
  last: GenerateResponse;
}

export async function foldGenerate(chunks: AsyncIterable<GenerateResponse>): Promise<FoldedGenerate> {
  let response = "";
  let thinking = "";
  const logprobs: Logprob[] = [];
  let last: GenerateResponse | undefined;
  for await (const chunk of chunks) {
    response += chunk.response ?? "";
    thinking += chunk.thinking ?? "";
    logprobs.push(...(chunk.logprobs ?? []));
    last = chunk;
  }
  if (!last) throw new Error("the model produced no response");
  return { response, thinking, logprobs, last };
}
