// The completion loop, run inside the child process: prompt fit, KV-cache prefix reuse, sampling,
// grammar, context shift, stop strings and incremental UTF-8-safe decoding.

import {
  LlamaGrammarEvaluationState,
  type Llama,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
  type SequenceEvaluateOptions,
  type Token,
} from "node-llama-cpp";
import { InvalidOptionError } from "../../util/errors.js";
import { fitPrompt, keptPrefix } from "../prompt-fit.js";
import { StopMatcher } from "../stop-matcher.js";
import type { CompletionChunk, LoadOptions, Timings, TokenLogprob } from "../types.js";
import type { WireCompletion } from "./protocol.js";

export interface GenerateEnv {
  llama: Llama;
  model: LlamaModel;
  sequence: LlamaContextSequence;
  load: LoadOptions;
  isAborted(): boolean;
  emit(chunk: CompletionChunk): void;
}

/** Ollama's DefaultOptions, for fields the caller left out. */
const DEFAULTS = { temperature: 0.8, topK: 40, topP: 0.9, minP: 0, repeatLastN: 64, repeatPenalty: 1, numKeep: 4 };

/** Text prompts are tokenized as llama-server does: BOS added, special tokens parsed. */
export function tokenizePrompt(model: LlamaModel, text: string, addSpecial = true, parseSpecial = true): number[] {
  const tokens = model.tokenize(text, parseSpecial) as number[];
  const bos = model.tokens.bos;
  if (addSpecial && bos != null && model.tokens.shouldPrependBosToken && tokens[0] !== bos) tokens.unshift(bos);
  return tokens;
}

async function grammarFor(llama: Llama, format: WireCompletion["format"]): Promise<LlamaGrammar | undefined> {
  if (format === undefined) return undefined;
  if (format === "json") return llama.getGrammarFor("json");
  try {
    return await llama.createGrammarForJsonSchema(format as never);
  } catch {
    throw new InvalidOptionError(`invalid format: ${JSON.stringify(format)}; expected "json" or a valid JSON Schema object`);
  }
}

export async function generate(env: GenerateEnv, req: WireCompletion): Promise<void> {
  const { model, sequence, load } = env;
  const s = req.sampling;
  // llama.cpp rounds contexts up to a multiple of 256; Ollama's num_ctx is the limit that applies.
  const contextSize = Math.min(load.numCtx, sequence.contextSize);
  const numKeep = s.numKeep ?? load.numKeep ?? DEFAULTS.numKeep;
  const shift = load.shift !== false;
  const raw = typeof req.prompt === "string" ? tokenizePrompt(model, req.prompt) : req.prompt.slice();
  const hasBos = model.tokens.bos != null && raw[0] === model.tokens.bos;
  const prompt = fitPrompt(raw, { numCtx: contextSize, numKeep, hasBos, truncate: req.truncate !== false, shift });
  const grammar = await grammarFor(env.llama, req.format);
  const started = process.hrtime.bigint();

  // Reuse the KV cache for the longest shared prefix; at least one token is evaluated for logits.
  const { firstDifferentIndex } = sequence.compareContextTokens(prompt as Token[]);
  const reuse = Math.max(0, Math.min(firstDifferentIndex, prompt.length - 1));
  if (sequence.nextTokenIndex > reuse)
    await sequence.eraseContextTokenRanges([{ start: reuse, end: sequence.nextTokenIndex }]);

  const timings: Timings = { promptTokens: prompt.length, promptEvaluated: prompt.length - reuse, promptNs: 0, evalTokens: 0, evalNs: 0 };
  const generated: number[] = [];
  const finish = (reason: "stop" | "length") => {
    const now = process.hrtime.bigint();
    if (timings.promptNs === 0) timings.promptNs = Number(now - started);
    else timings.evalNs = Number(now - started) - timings.promptNs;
    env.emit({ type: "done", reason, timings, tokens: [...prompt, ...generated] });
  };
  if (s.numPredict <= 0 || env.isAborted()) return finish("length");

  const keep = keptPrefix(contextSize, numKeep, hasBos);
  const temperature = s.temperature ?? DEFAULTS.temperature;
  // Greedy decoding takes the most likely token, which top-k/top-p/min-p always keep: skipping those
  // samplers changes no output and saves their per-token sort.
  const greedy = temperature <= 0;
  const options: SequenceEvaluateOptions = {
    temperature,
    topK: greedy ? undefined : (s.topK ?? DEFAULTS.topK),
    topP: greedy ? undefined : (s.topP ?? DEFAULTS.topP),
    minP: greedy ? undefined : (s.minP ?? DEFAULTS.minP),
    seed: s.seed === undefined || s.seed < 0 ? Math.floor(Math.random() * 2 ** 31) : s.seed,
    grammarEvaluationState: grammar ? new LlamaGrammarEvaluationState({ model, grammar }) : undefined,
    repeatPenalty: repeatPenaltyOf(s, sequence, contextSize),
  };
  // Ollama's shift keeps num_keep tokens and discards half of the rest.
  const discard = Math.max(1, Math.floor((contextSize - keep) / 2));

  const stops = new StopMatcher(s.stop ?? []);
  const decoder = new TextDecoderState(model, prompt);
  const guard = new RunawayGuard(req.format !== undefined);
  let reason: "stop" | "length" = "stop";
  let stopped = false;
  const wantProbs = req.logprobs === true || (req.topLogprobs ?? 0) > 0;
  const steps = sequence.evaluateWithMetadata(prompt.slice(reuse) as Token[], { probabilities: wantProbs }, options);
  for await (const out of steps) {
    const token = out.token as number;
    if (generated.length === 0) timings.promptNs = Number(process.hrtime.bigint() - started);
    generated.push(token);
    timings.evalTokens = generated.length;
    const piece = decoder.push(token);
    if (guard.shouldEnd(piece)) break;
    const step = stops.push(piece);
    const logprobs = wantProbs ? [logprobOf(model, token, piece, (out as { probabilities?: Map<Token, number> }).probabilities, req.topLogprobs ?? 0, [...prompt, ...generated].slice(-9, -1))] : undefined;
    // One piece per token, "" while the stop matcher or the UTF-8 decoder holds its text back.
    env.emit({ type: "token", text: step.emit, tokens: [token], pieces: [step.emit], logprobs });
    if (step.stopped) {
      stopped = true;
      break;
    }
    if (env.isAborted()) break;
    if (generated.length >= s.numPredict) {
      reason = "length";
      break;
    }
    // The next step decodes `token`: make room first, or end when shifting is off.
    if (sequence.nextTokenIndex + 1 >= contextSize) {
      if (!shift) {
        reason = "length";
        break;
      }
      await sequence.eraseContextTokenRanges([{ start: keep, end: keep + discard }]);
    }
  }
  if (!stopped) {
    const rest = stops.flush() + decoder.flush();
    if (rest) env.emit({ type: "token", text: rest, tokens: [], pieces: [rest] });
  }
  finish(reason);
}

function logprobOf(
  model: LlamaModel,
  token: number,
  text: string,
  probs: Map<Token, number> | undefined,
  top: number,
  before: number[],
): TokenLogprob {
  const entry = (t: number, s: string) => {
    const p = probs?.get(t as Token) ?? 0;
    return { token: s, logprob: p > 0 ? Math.log(p) : -Infinity, bytes: [...Buffer.from(s, "utf8")] };
  };
  const result: TokenLogprob = entry(token, text);
  if (top > 0 && probs) {
    const best = [...probs.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
    result.top_logprobs = best.map(([t]) => entry(t, model.detokenize([t] as Token[], false, before as Token[])));
  }
  return result;
}

function repeatPenaltyOf(s: WireCompletion["sampling"], sequence: LlamaContextSequence, contextSize: number) {
  const penalty = s.repeatPenalty ?? DEFAULTS.repeatPenalty;
  const presence = s.presencePenalty ?? 0;
  const frequency = s.frequencyPenalty ?? 0;
  const lastN = s.repeatLastN === -1 ? contextSize : (s.repeatLastN ?? DEFAULTS.repeatLastN);
  if (lastN === 0 || (penalty === 1 && presence === 0 && frequency === 0)) return undefined;
  return {
    punishTokens: () => sequence.contextTokens.slice(-lastN),
    maxPunishTokens: lastN,
    penalty,
    presencePenalty: presence,
    frequencyPenalty: frequency,
  };
}

/**
 * Ends runaway output: the same trimmed piece more than 30 times in a row (Ollama's repetition guard),
 * or, under a grammar, whitespace after the text already forms a complete JSON value (JSON grammars
 * allow trailing whitespace forever).
 */
class RunawayGuard {
  private last = "";
  private repeats = 0;
  private text = "";

  constructor(private readonly json: boolean) {}

  shouldEnd(piece: string): boolean {
    const trimmed = piece.trim();
    this.repeats = trimmed === this.last ? this.repeats + 1 : 0;
    this.last = trimmed;
    if (this.repeats > 30) return true;
    if (!this.json) return false;
    if (trimmed === "" && this.text.trim() !== "") {
      try {
        JSON.parse(this.text);
        return true;
      } catch {
        // not complete yet
      }
    }
    this.text += piece;
    return false;
  }
}

/** Decodes tokens to text incrementally, holding back pieces that end inside a UTF-8 sequence. */
class TextDecoderState {
  private context: number[];
  private pending: number[] = [];

  constructor(
    private readonly model: LlamaModel,
    prompt: readonly number[],
  ) {
    this.context = prompt.slice(-8);
  }

  push(token: number): string {
    this.pending.push(token);
    const text = this.model.detokenize(this.pending as Token[], false, this.context as Token[]);
    if (text.endsWith("\uFFFD") && this.pending.length < 8) return "";
    this.context = [...this.context, ...this.pending].slice(-8);
    this.pending = [];
    return text;
  }

  flush(): string {
    if (this.pending.length === 0) return "";
    const text = this.model.detokenize(this.pending as Token[], false, this.context as Token[]);
    this.pending = [];
    return text;
  }
}
