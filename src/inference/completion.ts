// Runs one completion on a runner and turns its text into parsed output (thinking, content, tool
// calls). With `format` on a thinking model it thinks first, unconstrained, then restarts with the
// grammar and the thinking as a prefill (ollama-spec §1.3 "Structured output + thinking").

import type { Think, Tool } from "../api/types.js";
import { CanceledError } from "../util/errors.js";
import type { CompletionChunk, CompletionRequest, Runner, Timings } from "../runner/types.js";
import { createOutputParser, emptyOutput, type ParsedOutput } from "./parsers/index.js";
import type { PromptRenderer } from "./renderer.js";

export interface ParsedStep {
  output: ParsedOutput;
  logprobs?: unknown[];
}

export interface CompletionEnd {
  reason: "stop" | "length";
  timings: Timings;
  /** Prompt + generated token ids (generate's `context`). */
  tokens: number[];
  /** Whatever the parser held back until the end. */
  rest: ParsedOutput;
}

export interface RunInput {
  runner: Runner;
  request: CompletionRequest;
  renderer: PromptRenderer;
  think: boolean;
  thinkLevel?: Think;
  tools?: Tool[];
}

/**
 * The runner request /api/generate and /api/chat both send: the prompt (with its images, one per
 * IMAGE_MARKER) plus the request's generation fields.
 */
export function completionRequest(
  req: { truncate?: boolean; logprobs?: boolean; top_logprobs?: number },
  input: { prompt: string; images?: Uint8Array[] },
  sampling: CompletionRequest["sampling"],
  format: CompletionRequest["format"],
  signal: AbortSignal | undefined,
): CompletionRequest {
  const out: CompletionRequest = { prompt: input.prompt, sampling, format, truncate: req.truncate !== false, logprobs: req.logprobs, topLogprobs: req.top_logprobs, signal };
  if (input.images?.length) out.images = input.images;
  return out;
}

/** True when the rendered prompt already opened the thinking block (the model continues inside it). */
export function promptOpensThinking(prompt: string, open: string | undefined): boolean {
  return !!open && prompt.trimEnd().endsWith(open);
}

/**
 * Streams parsed steps, one per token that shows something (Ollama writes one line per token), in
 * batches: the steps of one runner chunk (the tokens the runner batched together) come as one array, so
 * the layers above do their async work once per batch, not once per token. Empty steps (held-back text)
 * are not yielded: their logprobs go with the next step. Returns the end state. The caller's abort
 * signal is in `request.signal`.
 */
export async function* runParsed(input: RunInput): AsyncGenerator<ParsedStep[], CompletionEnd> {
  const { runner, request, renderer } = input;
  const tags = renderer.thinkingTags;
  const promptText = typeof request.prompt === "string" ? request.prompt : "";
  const parser = createOutputParser({
    think: input.think ? (input.thinkLevel ?? true) : false,
    thinkingTags: tags,
    thinkingPrefilled: promptOpensThinking(promptText, tags?.open),
    toolFormat: renderer.toolFormat,
    toolTag: renderer.toolTag,
    tools: input.tools,
  });
  const visible = (o: ParsedOutput) => o.content !== "" || o.thinking !== "" || o.toolCalls.length > 0;

  let stages: CompletionRequest[] = [request];
  let thoughtText = "";
  let thoughtTimings: Timings | undefined;
  const thinkFirst = request.format !== undefined && input.think && tags !== undefined && typeof request.prompt === "string";
  if (thinkFirst) {
    // Phase 1: unconstrained until the closing tag; then phase 2 continues with the grammar.
    const phase1 = new AbortController();
    const onAbort = () => phase1.abort();
    request.signal?.addEventListener("abort", onAbort, { once: true });
    const unconstrained: CompletionRequest = { ...request, format: undefined, signal: phase1.signal };
    let closed = false;
    let seen = promptOpensThinking(promptText, tags.open) ? tags.open : "";
    try {
      for await (const chunk of runner.complete(unconstrained)) {
        if (chunk.type === "done") {
          if (!closed) {
            const rest = parser.finish();
            return { reason: chunk.reason, timings: chunk.timings, tokens: chunk.tokens, rest };
          }
          thoughtTimings = chunk.timings;
          break;
        }
        const steps: ParsedStep[] = [];
        for (const piece of piecesOf(chunk)) {
          if (closed) break;
          seen += piece.text;
          let text = piece.text;
          const at = seen.indexOf(tags.close);
          if (at >= 0) {
            // Keep only the text up to and including the closing tag.
            const over = seen.length - (at + tags.close.length);
            text = text.slice(0, text.length - over);
            thoughtText += text;
            closed = true;
            phase1.abort();
          } else {
            thoughtText += text;
          }
          const out = parser.add(text);
          if (visible(out)) steps.push({ output: out });
        }
        if (steps.length) yield steps;
      }
    } catch (err) {
      if (!closed || request.signal?.aborted) throw err;
    } finally {
      request.signal?.removeEventListener("abort", onAbort);
    }
    stages = [{ ...request, prompt: promptText + thoughtText }];
  }

  let logprobs: unknown[] = [];
  for (const stage of stages) {
    for await (const chunk of runner.complete(stage)) {
      if (chunk.type === "done") {
        // Logprobs of tokens that never showed (a matched stop string) still reach the client.
        if (logprobs.length) yield [{ output: emptyOutput(), logprobs }];
        const timings = thoughtTimings ? mergeTimings(thoughtTimings, chunk.timings) : chunk.timings;
        return { reason: chunk.reason, timings, tokens: chunk.tokens, rest: parser.finish() };
      }
      const steps: ParsedStep[] = [];
      for (const piece of piecesOf(chunk)) {
        const out = parser.add(piece.text);
        if (piece.logprobs) logprobs.push(...piece.logprobs);
        if (!visible(out)) continue;
        steps.push(logprobs.length ? { output: out, logprobs } : { output: out });
        logprobs = [];
      }
      if (steps.length) yield steps;
      // A client that left while a batch was written stops the runner now, not at the next batch.
      if (stage.signal?.aborted) throw new CanceledError();
    }
  }
  throw new Error("runner stream ended without a final chunk");
}

/**
 * A runner chunk as the text each of its tokens added, each with its own logprobs. A runner that
 * does not say (no `pieces`) gives one piece for the whole chunk.
 */
function piecesOf(chunk: Extract<CompletionChunk, { type: "token" }>): { text: string; logprobs?: unknown[] }[] {
  const { pieces, logprobs } = chunk;
  if (!pieces || pieces.length === 0) return [{ text: chunk.text, logprobs }];
  if (!logprobs) return pieces.map((text) => ({ text }));
  // Logprobs come one per token in order; a runner's final flush piece (no token) has none.
  const last = pieces.length - 1;
  return pieces.map((text, i) => {
    const own = logprobs.slice(i, i === last ? undefined : i + 1);
    return own.length ? { text, logprobs: own } : { text };
  });
}

/** Two phases count as one generation: the first phase's prompt, both phases' generated tokens. */
function mergeTimings(a: Timings, b: Timings): Timings {
  return {
    promptTokens: a.promptTokens,
    promptEvaluated: a.promptEvaluated,
    promptNs: a.promptNs,
    evalTokens: a.evalTokens + b.evalTokens,
    evalNs: a.evalNs + b.promptNs + b.evalNs,
  };
}
