// Type checks for the inference request bodies: wrong JSON types are a 400 with Go's wording, as in
// Ollama, before they reach inference. Unknown fields pass (clients send extras); values that need
// domain rules (format, think, keep_alive, input) are checked by inference with Ollama's own messages.

import { z } from "zod";

const options = z.record(z.string(), z.unknown()).optional();
const keepAlive = z.union([z.number(), z.string()]).optional();

const toolCall = z.looseObject({
  id: z.string().optional(),
  function: z.looseObject({
    index: z.number().optional(),
    name: z.string(),
    arguments: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const messageSchema = z.looseObject({
  role: z.string(),
  content: z.string().optional(),
  thinking: z.string().optional(),
  images: z.array(z.string()).nullish(),
  tool_calls: z.array(toolCall).nullish(),
  tool_name: z.string().optional(),
  tool_call_id: z.string().optional(),
});

const common = {
  model: z.string().optional(),
  stream: z.boolean().optional(),
  format: z.unknown().optional(),
  keep_alive: keepAlive,
  options,
  think: z.union([z.boolean(), z.string()]).optional(),
  truncate: z.boolean().optional(),
  shift: z.boolean().optional(),
  logprobs: z.boolean().optional(),
  top_logprobs: z.number().int().optional(),
  _debug_render_only: z.boolean().optional(),
};

export const generateSchema = z.looseObject({
  ...common,
  prompt: z.string().optional(),
  suffix: z.string().optional(),
  system: z.string().optional(),
  template: z.string().optional(),
  context: z.array(z.number().int()).nullish(),
  raw: z.boolean().optional(),
  images: z.array(z.string()).nullish(),
});

export const chatSchema = z.looseObject({
  ...common,
  messages: z.array(messageSchema).nullish(),
  tools: z.array(z.looseObject({ type: z.string().optional(), function: z.looseObject({ name: z.string() }) })).nullish(),
});

export const embedSchema = z.looseObject({
  model: z.string().optional(),
  input: z.unknown().optional(),
  truncate: z.boolean().optional(),
  dimensions: z.number().int().optional(),
  keep_alive: keepAlive,
  options,
});

export const embeddingsSchema = z.looseObject({
  model: z.string().optional(),
  prompt: z.string().optional(),
  keep_alive: keepAlive,
  options,
});
