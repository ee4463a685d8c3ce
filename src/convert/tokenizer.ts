// The tokenizer of a Hugging Face checkpoint, in GGUF's terms (`tokenizer.ggml.*`), with Ollama's rules
// (convert/tokenizer.go): `tokenizer.model` (SentencePiece, model "llama") is preferred over
// `tokenizer.json` (BPE, model "gpt2"; WordPiece for BERT); the pre-tokenizer is named from a hash of its
// Split regexes; special tokens come from tokenizer_config.json (`<type>_token`, `add_<type>_token`) and
// generation_config.json (`<type>_token_id` lists); the chat template from tokenizer_config.json or
// chat_template.jinja.

import { createHash } from "node:crypto";
import { ConversionError } from "../util/errors.js";
import { decodeSentencePiece } from "./sentencepiece.js";
import type { SourceFiles } from "./source.js";

export const TokenType = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

export type SpecialType = "bos" | "eos" | "unk" | "sep" | "pad" | "cls" | "mask";
export const SPECIAL_TYPES: SpecialType[] = ["bos", "eos", "unk", "sep", "pad", "cls", "mask"];

export interface SpecialToken {
  type: SpecialType;
  id: number;
  addToken: boolean;
  /** More ids (generation_config.json lists several eos ids, e.g. Llama 3's). */
  ids?: number[];
}

export interface Tokenizer {
  model: "llama" | "gpt2" | "bert";
  pre: string;
  tokens: string[];
  scores: number[];
  types: number[];
  merges: string[];
  specials: SpecialToken[];
  template?: string;
}

/** Ollama's table: sha256 of the concatenated Split regexes → llama.cpp pre-tokenizer name. */
const PRE_TOKENIZERS: Record<string, string> = {
  d98f9631be1e9607a9848c26c1f9eac1aa9fc21ac6ba82a2fc0741af9780a48f: "llama-bpe",
  "03df5c5863ad70781dcfdef491ead25140f895fe8010964be0daefe27be32b02": "deepseek-llm",
  "21cde974d587f0d54dc8d56b183cc1e6239600172035c68fbd6d4b9f8da0576e": "deepseek-coder",
  "1ff7f41064896984db5d1bb6ff64fa4bc29007d08c1b439e505b7392777a319e": "qwen2",
};

interface AddedToken {
  id: number;
  content: string;
  special?: boolean;
}

interface TokenizerJson {
  added_tokens?: AddedToken[];
  model?: { type?: string; vocab?: Record<string, number>; merges?: (string | [string, string])[] };
  pre_tokenizer?: { type?: string; pattern?: { Regex?: string }; pretokenizers?: { type?: string; pattern?: { Regex?: string } }[] };
}

async function fromSentencePiece(files: SourceFiles): Promise<Pick<Tokenizer, "tokens" | "scores" | "types">> {
  const { readFile } = await import("node:fs/promises");
  const pieces = decodeSentencePiece(await readFile(files.get("tokenizer.model")!));
  const tokens = pieces.map((p) => p.piece);
  const scores = pieces.map((p) => p.score);
  // User-defined pieces count as normal (Ollama): llama.cpp would otherwise match them before splitting.
  const types = pieces.map((p) => ([2, 3, 5, 6].includes(p.type) ? p.type : TokenType.normal));
  const added = await files.json<Record<string, number>>("added_tokens.json");
  if (added) {
    for (const [content, id] of Object.entries(added).sort((a, b) => a[1] - b[1])) {
      if (id < tokens.length && tokens[id] === content) continue;
      if (id !== tokens.length) throw new ConversionError(`invalid token id: ${id}`);
      tokens.push(content);
      scores.push(-1000);
      types.push(TokenType.userDefined);
    }
  }
  return { tokens, scores, types };
}

function fromTokenizerJson(tj: TokenizerJson): Pick<Tokenizer, "tokens" | "scores" | "types"> {
  const byId = new Map<number, { content: string; type: number }>();
  for (const [content, id] of Object.entries(tj.model?.vocab ?? {})) byId.set(id, { content, type: TokenType.normal });
  for (const t of tj.added_tokens ?? []) byId.set(t.id, { content: t.content, type: t.special ? TokenType.control : TokenType.userDefined });
  if (!byId.size) throw new ConversionError("tokenizer.json has no vocabulary");
  const ids = [...byId.keys()].sort((a, b) => a - b);
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  for (const id of ids) {
    // A hole in the ids would shift every later token: fill it so ids stay positions.
    while (tokens.length < id) {
      tokens.push(`[PAD${tokens.length}]`);
      scores.push(-1);
      types.push(TokenType.userDefined);
    }
    const t = byId.get(id)!;
    tokens.push(t.content);
    scores.push(id);
    types.push(t.type);
  }
  return { tokens, scores, types };
}

function preTokenizerName(tj: TokenizerJson): string {
  const pre = tj.pre_tokenizer;
  const list = pre?.pretokenizers ?? (pre ? [pre] : []);
  const h = createHash("sha256");
  for (const p of list) if (p.type === "Split" && p.pattern?.Regex) h.update(p.pattern.Regex);
  return PRE_TOKENIZERS[h.digest("hex")] ?? "default";
}

function tokenContent(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { content?: unknown }).content === "string") return (v as { content: string }).content;
  return undefined;
}

function chatTemplate(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return (v as { name?: string; template?: string }[]).find((e) => e.name === "default")?.template;
  if (v !== undefined && v !== null) throw new ConversionError("invalid chat_template in tokenizer_config.json");
  return undefined;
}

export async function parseTokenizer(files: SourceFiles, config: Record<string, unknown> = {}): Promise<Tokenizer> {
  const tj = await files.json<TokenizerJson>("tokenizer.json");
  let vocab: Pick<Tokenizer, "tokens" | "scores" | "types">;
  let model: Tokenizer["model"];
  if (files.get("tokenizer.model")) {
    vocab = await fromSentencePiece(files);
    model = "llama";
  } else if (tj) {
    vocab = fromTokenizerJson(tj);
    model = tj.model?.type === "WordPiece" ? "bert" : "gpt2";
  } else {
    throw new ConversionError("no tokenizer found: the model directory needs tokenizer.json or tokenizer.model");
  }

  const merges = (tj?.model?.merges ?? []).map((m) => (Array.isArray(m) ? m.join(" ") : m));
  const tok: Tokenizer = { model, pre: tj && model === "gpt2" ? preTokenizerName(tj) : "default", ...vocab, merges, specials: [] };

  const added = new Map<string, number>((tj?.added_tokens ?? []).map((t) => [t.content, t.id]));
  const lookup = (content: string): number | undefined => added.get(content) ?? (vocab.tokens.indexOf(content) >= 0 ? vocab.tokens.indexOf(content) : undefined);
  const tc = (await files.json<Record<string, unknown>>("tokenizer_config.json")) ?? {};
  for (const type of SPECIAL_TYPES) {
    const content = tokenContent(tc[`${type}_token`]);
    let id = content !== undefined ? lookup(content) : undefined;
    // config.json may name the id where tokenizer_config.json names no token (many Llama exports).
    const cfgId = config[`${type}_token_id`];
    if (id === undefined && typeof cfgId === "number") id = cfgId;
    if (id === undefined) continue;
    tok.specials.push({ type, id, addToken: tc[`add_${type}_token`] === true });
  }
  const gen = (await files.json<Record<string, unknown>>("generation_config.json")) ?? {};
  for (const s of tok.specials) {
    const ids = gen[`${s.type}_token_id`];
    if (Array.isArray(ids)) s.ids = ids as number[];
  }

  tok.template = chatTemplate(tc.chat_template);
  if (tok.template === undefined && files.get("chat_template.jinja")) tok.template = await files.readText("chat_template.jinja");
  return tok;
}

/** Pads the vocabulary to the model's `vocab_size` with `[PADn]` user-defined tokens (Ollama's rule). */
export function padVocabulary(tok: Tokenizer, vocabSize: number | undefined): void {
  if (!vocabSize || vocabSize <= tok.tokens.length) return;
  for (let i = 0; tok.tokens.length < vocabSize; i++) {
    tok.tokens.push(`[PAD${i}]`);
    tok.scores.push(-1);
    tok.types.push(TokenType.userDefined);
  }
}

const KEY: Record<SpecialType, string> = { bos: "bos", eos: "eos", unk: "unknown", sep: "seperator", pad: "padding", cls: "cls", mask: "mask" };

/** The `tokenizer.*` GGUF keys (spelling `seperator` is llama.cpp's). */
export function tokenizerKv(tok: Tokenizer): Record<string, { type: string; value: unknown }> {
  const kv: Record<string, { type: string; value: unknown }> = {
    "tokenizer.ggml.model": { type: "string", value: tok.model },
    "tokenizer.ggml.pre": { type: "string", value: tok.pre },
    "tokenizer.ggml.tokens": { type: "array<string>", value: tok.tokens },
    "tokenizer.ggml.scores": { type: "array<float32>", value: tok.scores },
    "tokenizer.ggml.token_type": { type: "array<int32>", value: tok.types },
  };
  if (tok.merges.length) kv["tokenizer.ggml.merges"] = { type: "array<string>", value: tok.merges };
  for (const s of tok.specials) {
    kv[`tokenizer.ggml.add_${KEY[s.type]}_token`] = { type: "bool", value: s.addToken };
    kv[`tokenizer.ggml.${KEY[s.type]}_token_id`] = { type: "uint32", value: s.id };
    if (s.ids?.length) kv[`tokenizer.ggml.${KEY[s.type]}_token_ids`] = { type: "array<int32>", value: s.ids };
  }
  if (tok.template) kv["tokenizer.chat_template"] = { type: "string", value: tok.template };
  return kv;
}
