// Vocabularies for synthetic files: stories260K's SentencePiece one (read from its GGUF) and a
// byte-level BPE one built in place.

import { readGguf, typedMetadata } from "../../gguf/index.js";
import { model } from "../../testing/fixtures.js";
import { type Md, str, u32 } from "./weights.js";

/** The size of the default vocabulary (stories260K's), the rows of token_embd/output. */
export const SPM_VOCAB = 512;

/** stories260K's 512-token SentencePiece vocabulary, with `extra` tokens appended (e.g. multimodal ones). */
export async function spmVocab(extra: string[] = []): Promise<Md> {
  const g = await readGguf(model("stories260K.gguf"));
  const md = typedMetadata(g);
  const out: Md = {};
  for (const [k, v] of Object.entries(md)) if (k.startsWith("tokenizer.")) out[k] = v;
  out["tokenizer.ggml.tokens"] = { type: "array<string>", value: [...(g.metadata["tokenizer.ggml.tokens"] as string[]), ...extra] };
  out["tokenizer.ggml.scores"] = { type: "array<float32>", value: [...(g.metadata["tokenizer.ggml.scores"] as number[]), ...extra.map(() => 0)] };
  out["tokenizer.ggml.token_type"] = { type: "array<int32>", value: [...(g.metadata["tokenizer.ggml.token_type"] as number[]), ...extra.map(() => 4)] };
  return out;
}

/** A byte-level BPE vocabulary (GPT-2's byte-to-unicode alphabet) plus an end-of-text token. */
export function bpeVocab(): Md {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const set = new Set(printable);
  const tokens: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) tokens[b] = String.fromCodePoint(set.has(b) ? b : 256 + extra++);
  tokens.push("<|endoftext|>");
  return {
    "tokenizer.ggml.model": str("gpt2"),
    "tokenizer.ggml.pre": str("default"),
    "tokenizer.ggml.tokens": { type: "array<string>", value: tokens },
    "tokenizer.ggml.token_type": { type: "array<int32>", value: tokens.map((_, i) => (i === 256 ? 3 : 1)) },
    "tokenizer.ggml.merges": { type: "array<string>", value: ["Ġ t", "h e"] },
    "tokenizer.ggml.bos_token_id": u32(256),
    "tokenizer.ggml.eos_token_id": u32(256),
  };
}
