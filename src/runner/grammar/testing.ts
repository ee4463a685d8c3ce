// Test helpers: llama.cpp's own grammar engine (through node-llama-cpp, on stories260K) as the
// judge of what a grammar accepts and what a model generates under it, and a small JSON Schema
// validator for checking generated values against the schema they were generated from.

import { getLlama, LlamaGrammarEvaluationState, LlamaLogLevel, type Llama, type LlamaContext, type LlamaGrammar, type LlamaModel, type Token } from "node-llama-cpp";
import { model as modelPath } from "../../testing/fixtures.js";

interface GrammarBindings {
  canBeNextTokenForGrammarEvaluationState(state: unknown, token: number): boolean;
  acceptGrammarEvaluationStateToken(state: unknown, token: number): void;
}

export interface GrammarLab {
  /** Whether llama.cpp's grammar engine accepts `text` as a complete match of `gbnf`. */
  accepts(gbnf: string, text: string): Promise<boolean>;
  /** Text the model generates under the grammar, and whether it ended within `maxTokens`. */
  generate(gbnf: string, seed: number, maxTokens?: number): Promise<{ text: string; finished: boolean }>;
  dispose(): Promise<void>;
}

/** stories260K's byte-fallback tokens: `<0x00>` is token 3. */
const BYTE_TOKEN_BASE = 3;

export async function openGrammarLab(): Promise<GrammarLab> {
  const llama: Llama = await getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, maxThreads: 1, logLevel: LlamaLogLevel.error });
  const model: LlamaModel = await llama.loadModel({ modelPath: modelPath("stories260K.gguf") });
  const context: LlamaContext = await model.createContext({ contextSize: 512, threads: 1 });
  const sequence = context.getSequence();
  const bindings = (llama as unknown as { _bindings: { AddonSampler: GrammarBindings } })._bindings.AddonSampler;
  const grammars = new Map<string, LlamaGrammar>();
  const grammarOf = async (gbnf: string) => {
    let g = grammars.get(gbnf);
    if (!g) grammars.set(gbnf, (g = await llama.createGrammar({ grammar: gbnf })));
    return g;
  };
  const eos = model.tokens.eos!;
  const prompt = model.tokenize("Once upon a time", false) as Token[];
  if (model.tokens.bos != null) prompt.unshift(model.tokens.bos as Token);

  return {
    async accepts(gbnf, text) {
      const state = new LlamaGrammarEvaluationState({ model, grammar: await grammarOf(gbnf) });
      const raw = (state as unknown as { _state: unknown })._state;
      for (const byte of Buffer.from(text, "utf8")) {
        const token = BYTE_TOKEN_BASE + byte;
        if (!bindings.canBeNextTokenForGrammarEvaluationState(raw, token)) return false;
        bindings.acceptGrammarEvaluationStateToken(raw, token);
      }
      return bindings.canBeNextTokenForGrammarEvaluationState(raw, eos);
    },
    async generate(gbnf, seed, maxTokens = 400) {
      const grammarEvaluationState = new LlamaGrammarEvaluationState({ model, grammar: await grammarOf(gbnf) });
      await sequence.clearHistory();
      const out: Token[] = [];
      for await (const token of sequence.evaluate(prompt, {
        temperature: 1.2,
        seed,
        grammarEvaluationState,
        // The story model repeats itself (a fraction's zeros forever): penalties keep runs short.
        repeatPenalty: { punishTokens: () => sequence.contextTokens.slice(-32), maxPunishTokens: 32, penalty: 1.5, frequencyPenalty: 0.5 },
      })) {
        if (token === eos) break;
        out.push(token);
        if (out.length >= maxTokens) return { text: model.detokenize(out), finished: false };
      }
      // node-llama-cpp ends the stream at an end-of-generation token without yielding it.
      return { text: model.detokenize(out), finished: true };
    },
    async dispose() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}

type Schema = boolean | Record<string, unknown>;

/** Problems of `value` against `schema` (the subset formatToGbnf supports); empty when valid. */
export function schemaErrors(value: unknown, schema: Schema, root: Schema = schema, path = "$"): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: false schema`];
  const s = schema;
  const errs: string[] = [];
  const fail = (m: string) => errs.push(`${path}: ${m}`);
  if (typeof s.$ref === "string") {
    let target: unknown = root;
    for (const seg of s.$ref.slice(2).split("/").filter(Boolean)) target = (target as Record<string, unknown>)[seg.replace(/~1/g, "/").replace(/~0/g, "~")];
    errs.push(...schemaErrors(value, target as Schema, root, path));
  }
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) errs.push(...schemaErrors(value, sub as Schema, root, path));
  for (const key of ["anyOf", "oneOf"]) {
    const alts = s[key];
    if (Array.isArray(alts) && !alts.some((a) => schemaErrors(value, a as Schema, root, path).length === 0)) fail(`no ${key} alternative matches`);
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "number" && Number.isInteger(v) ? "integer" : typeof v);
    const t = typeOf(value);
    if (!types.includes(t) && !(t === "integer" && types.includes("number"))) fail(`type ${t} not in ${types.join(",")}`);
  }
  if ("const" in s && JSON.stringify(s.const) !== JSON.stringify(value)) fail(`not the const`);
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) fail(`not in enum`);
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) fail(`below minimum`);
    if (typeof s.maximum === "number" && value > s.maximum) fail(`above maximum`);
    if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum) fail(`not above exclusiveMinimum`);
    if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum) fail(`not below exclusiveMaximum`);
  }
  if (typeof value === "string") {
    const len = [...value].length;
    if (typeof s.minLength === "number" && len < s.minLength) fail(`shorter than minLength`);
    if (typeof s.maxLength === "number" && len > s.maxLength) fail(`longer than maxLength`);
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value)) fail(`does not match pattern`);
    const formats: Record<string, RegExp> = {
      date: /^\d{4}-\d{2}-\d{2}$/,
      "date-time": /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
      time: /^\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
      uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    };
    const f = typeof s.format === "string" ? formats[s.format] : undefined;
    if (f && !f.test(value)) fail(`not a ${s.format}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === "number" && value.length < s.minItems) fail(`fewer than minItems`);
    if (typeof s.maxItems === "number" && value.length > s.maxItems) fail(`more than maxItems`);
    const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : [];
    value.forEach((v, i) => {
      const sub = i < prefix.length ? prefix[i] : s.items;
      if (sub !== undefined) errs.push(...schemaErrors(v, sub as Schema, root, `${path}[${i}]`));
    });
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const r of (s.required ?? []) as string[]) if (!(r in obj)) fail(`missing required ${r}`);
    for (const [k, v] of Object.entries(obj)) {
      if (k in props) errs.push(...schemaErrors(v, props[k]!, root, `${path}.${k}`));
      else if (s.additionalProperties !== undefined) errs.push(...schemaErrors(v, s.additionalProperties as Schema, root, `${path}.${k}`));
    }
  }
  return errs;
}
