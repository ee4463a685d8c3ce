// Test helpers: llama.cpp's own grammar engine (through herd's binding, on stories260K) as the judge of
// what a grammar accepts and what a model generates under it, and a small JSON Schema validator for
// checking generated values against the schema they were generated from.

import { captureLog, loadLlama, structs as S, type LlamaApi, type Ptr } from "../native/index.js";
import { Batch } from "../engine/batch.js";
import { LoadedModel, type Context } from "../engine/model.js";
import { Sampler } from "../engine/sampler.js";
import { model as modelPath } from "../../testing/fixtures.js";

export interface GrammarLab {
  /** Whether llama.cpp's grammar engine accepts `text` as a complete match of `gbnf`. */
  accepts(gbnf: string, text: string): Promise<boolean>;
  /** Text the model generates under the grammar, and whether it ended within `maxTokens`. */
  generate(gbnf: string, seed: number, maxTokens?: number): Promise<{ text: string; finished: boolean }>;
  dispose(): Promise<void>;
}

/** stories260K's byte-fallback tokens: `<0x00>` is token 3. */
const BYTE_TOKEN_BASE = 3;

/** Runs `fn` with llama.cpp's log captured (on the JS thread only); returns its result and the error lines. */
function quietly<T>(api: LlamaApi, fn: () => T): { value: T; errors: string[] } {
  const errors: string[] = [];
  const restore = captureLog(api, (level, text) => {
    if (level === S.GGML_LOG_LEVEL_ERROR && text.trim()) errors.push(text.trim());
  });
  try {
    return { value: fn(), errors };
  } finally {
    restore();
  }
}

/** Whether the grammar sampler leaves `token` possible next: it sets a refused candidate's logit to -inf. */
function allows(api: LlamaApi, grammar: Ptr, token: number): boolean {
  // One llama_token_data { id, logit, p }, passed by address (koffi hands a Buffer's memory to a pointer field).
  const data = Buffer.alloc(12);
  data.writeInt32LE(token, 0);
  api.llama_sampler_apply(grammar, { data, size: 1, selected: -1, sorted: false });
  return data.readFloatLE(4) !== -Infinity;
}

export async function openGrammarLab(): Promise<GrammarLab> {
  const api = loadLlama({ gpu: false });
  const { value: model, errors: loadErrors } = quietly(api, () => LoadedModel.load(api, modelPath("stories260K.gguf"), { useMmap: true, gpuLayers: 0 }));
  if (loadErrors.length) throw new Error(`loading stories260K: ${loadErrors.join("; ")}`);
  const ctx: Context = quietly(api, () => model.createContext({ nCtx: 512, nBatch: 512, nSeqMax: 1, threads: 1, threadsBatch: 1, embeddings: false })).value;
  const batch = new Batch(api, ctx.nBatch);
  const prompt = model.tokenize("Once upon a time", false, false);
  if (model.bos >= 0) prompt.unshift(model.bos);

  /**
   * A fresh grammar sampler; an invalid grammar throws "Failed to parse grammar", as node-llama-cpp's lab did
   * (llama.cpp prints the parser's reason to stderr and logs the rest, added here).
   */
  const grammarOf = (gbnf: string): Ptr => {
    const { value: g, errors } = quietly(api, () => api.llama_sampler_init_grammar(model.vocab, gbnf, "root"));
    const reasons = errors.filter((e) => e !== "failed to parse grammar");
    if (!g) throw new Error(`Failed to parse grammar${reasons.length ? `: ${reasons.join("; ")}` : ""}`);
    return g;
  };
  const decode = () => {
    const rc = api.llama_decode(ctx.ptr, batch.value);
    if (rc !== 0) throw new Error(`llama_decode failed (${rc})`);
  };

  return {
    async accepts(gbnf, text) {
      const grammar = grammarOf(gbnf);
      try {
        for (const byte of Buffer.from(text, "utf8")) {
          const token = BYTE_TOKEN_BASE + byte;
          if (!allows(api, grammar, token)) return false;
          api.llama_sampler_accept(grammar, token);
        }
        return allows(api, grammar, model.eos);
      } finally {
        api.llama_sampler_free(grammar);
      }
    },
    async generate(gbnf, seed, maxTokens = 400) {
      if (prompt.length + maxTokens > ctx.nCtx) throw new RangeError(`maxTokens ${maxTokens} exceeds the lab's context of ${ctx.nCtx}`);
      // The story model repeats itself (a fraction's zeros forever): penalties over the last 32 tokens
      // (prompt included) keep runs short. The chain owns the grammar sampler and frees it.
      const sampling = { temperature: 1.2, seed, repeatPenalty: 1.5, repeatLastN: 32, frequencyPenalty: 0.5, numPredict: maxTokens };
      const sampler = new Sampler(api, model.nVocab, sampling, { grammar: grammarOf(gbnf), contextSize: ctx.nCtx, history: prompt });
      try {
        api.llama_memory_clear(ctx.mem, true);
        batch.clear();
        prompt.forEach((t, i) => batch.add(t, i, 0, i === prompt.length - 1));
        decode();
        let out = prompt.length - 1;
        const tokens: number[] = [];
        for (;;) {
          const token = sampler.sample(ctx.ptr, out);
          if (model.isEog(token)) return { text: model.detokenize(tokens), finished: true };
          tokens.push(token);
          if (tokens.length >= maxTokens) return { text: model.detokenize(tokens), finished: false };
          batch.clear();
          out = batch.add(token, prompt.length + tokens.length - 1, 0, true);
          decode();
        }
      } finally {
        sampler.free();
      }
    },
    async dispose() {
      quietly(api, () => {
        batch.dispose();
        model.freeContext(ctx);
        model.free();
      });
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
