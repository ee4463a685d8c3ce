// gpt-oss as Ollama publishes it (arch `gptoss`): the names Ollama's converter chose, which the
// translation maps back to llama.cpp's gpt-oss.

import { type GgufWriteTensor, writeGguf } from "../../gguf/index.js";
import { bpeVocab } from "./vocab.js";
import { type Md, Weights, f32, str, u32 } from "./weights.js";

export interface GptossShape {
  embd: number;
  layers: number;
  heads: number;
  headDim: number;
  experts: number;
  expertFf: number;
}

/** A gpt-oss file as Ollama publishes it: arch `gptoss`, `attn_out`, suffixless `attn_sinks`, `ffn_norm`. */
export async function writePublishedGptoss(path: string, s: GptossShape, seed = 2): Promise<void> {
  const w = new Weights(seed);
  const vocab = bpeVocab();
  const nVocab = (vocab["tokenizer.ggml.tokens"]!.value as string[]).length;
  const md: Md = {
    "general.architecture": str("gptoss"),
    "gptoss.context_length": u32(256),
    "gptoss.embedding_length": u32(s.embd),
    "gptoss.block_count": u32(s.layers),
    "gptoss.feed_forward_length": u32(s.expertFf),
    "gptoss.attention.head_count": u32(s.heads),
    "gptoss.attention.head_count_kv": u32(1),
    "gptoss.attention.key_length": u32(s.headDim),
    "gptoss.attention.value_length": u32(s.headDim),
    "gptoss.rope.dimension_count": u32(s.headDim),
    "gptoss.rope.freq_base": f32(150000),
    "gptoss.attention.layer_norm_rms_epsilon": f32(1e-5),
    "gptoss.attention.sliding_window": u32(16),
    "gptoss.expert_count": u32(s.experts),
    "gptoss.expert_used_count": u32(2),
    ...vocab,
  };
  const q = s.heads * s.headDim;
  const tensors: GgufWriteTensor[] = [
    w.tensor("token_embd.weight", [s.embd, nVocab]),
    w.norm("output_norm.weight", s.embd),
    w.tensor("output.weight", [s.embd, nVocab]),
  ];
  for (let i = 0; i < s.layers; i++) {
    const b = `blk.${i}.`;
    tensors.push(
      w.norm(`${b}attn_norm.weight`, s.embd),
      w.norm(`${b}ffn_norm.weight`, s.embd),
      w.tensor(`${b}attn_q.weight`, [s.embd, q]),
      w.tensor(`${b}attn_q.bias`, [q]),
      w.tensor(`${b}attn_k.weight`, [s.embd, s.headDim]),
      w.tensor(`${b}attn_k.bias`, [s.headDim]),
      w.tensor(`${b}attn_v.weight`, [s.embd, s.headDim]),
      w.tensor(`${b}attn_v.bias`, [s.headDim]),
      w.tensor(`${b}attn_out.weight`, [q, s.embd]),
      w.tensor(`${b}attn_out.bias`, [s.embd]),
      w.tensor(`${b}attn_sinks`, [s.heads]),
      w.tensor(`${b}ffn_gate_inp.weight`, [s.embd, s.experts]),
      w.tensor(`${b}ffn_gate_inp.bias`, [s.experts]),
      w.tensor(`${b}ffn_gate_exps.weight`, [s.embd, s.expertFf, s.experts]),
      w.tensor(`${b}ffn_gate_exps.bias`, [s.expertFf, s.experts]),
      w.tensor(`${b}ffn_up_exps.weight`, [s.embd, s.expertFf, s.experts]),
      w.tensor(`${b}ffn_up_exps.bias`, [s.expertFf, s.experts]),
      w.tensor(`${b}ffn_down_exps.weight`, [s.expertFf, s.embd, s.experts]),
      w.tensor(`${b}ffn_down_exps.bias`, [s.embd, s.experts]),
    );
  }
  await writeGguf(path, { metadata: md, tensors });
}
