// The architectures herd converts, keyed by config.json `architectures[0]`. Names, keys and transforms
// follow Ollama's convert/ (convert_llama.go, convert_qwen2.go, …) and the tensor names llama.cpp loads
// (src/llama-arch.cpp). Ollama has no MistralForCausalLM converter; llama.cpp converts it as llama, and so
// does herd.

import { archKv, type Architecture, f32, type HfConfig, num, type PlannedTensor, str, u32, bool } from "./plan.js";

const LLAMA_NAMES: [string, string][] = [
  ["lm_head", "output"],
  ["model.embed_tokens", "token_embd"],
  ["model.norm", "output_norm"],
  ["model.layers", "blk"],
  ["input_layernorm", "attn_norm"],
  ["self_attn.q_proj", "attn_q"],
  ["self_attn.q_norm", "attn_q_norm"],
  ["self_attn.k_proj", "attn_k"],
  ["self_attn.k_norm", "attn_k_norm"],
  ["self_attn.v_proj", "attn_v"],
  ["self_attn.o_proj", "attn_output"],
  ["mlp.gate_proj", "ffn_gate"],
  ["mlp.down_proj", "ffn_down"],
  ["mlp.up_proj", "ffn_up"],
  ["post_attention_layernorm", "ffn_norm"],
];

const GEMMA_NAMES: [string, string][] = [
  ["lm_head", "output"],
  ["model.embed_tokens", "token_embd"],
  ["model.norm", "output_norm"],
  ["language_model.", ""],
  ["model.layers", "blk"],
  ["input_layernorm", "attn_norm"],
  ["self_attn.q_proj", "attn_q"],
  ["self_attn.q_norm", "attn_q_norm"],
  ["self_attn.k_proj", "attn_k"],
  ["self_attn.k_norm", "attn_k_norm"],
  ["self_attn.v_proj", "attn_v"],
  ["self_attn.o_proj", "attn_output"],
  ["mlp.gate_proj", "ffn_gate"],
  ["mlp.down_proj", "ffn_down"],
  ["mlp.up_proj", "ffn_up"],
  ["post_attention_layernorm", "post_attention_norm"],
  ["pre_feedforward_layernorm", "ffn_norm"],
  ["post_feedforward_layernorm", "post_ffw_norm"],
];

/** Hyper-parameters every decoder shares, under the names llama.cpp reads. */
function decoderKv(cfg: HfConfig) {
  return {
    block_count: u32(num(cfg, "num_hidden_layers", "n_layers", "n_layer")),
    context_length: u32(num(cfg, "max_position_embeddings", "n_ctx")),
    embedding_length: u32(num(cfg, "hidden_size", "n_embd")),
    feed_forward_length: u32(num(cfg, "intermediate_size", "n_inner")),
    "attention.head_count": u32(num(cfg, "num_attention_heads", "n_head")),
    "attention.head_count_kv": u32(num(cfg, "num_key_value_heads", "n_head_kv")),
    "rope.freq_base": f32(cfg.rope_theta),
    "attention.layer_norm_rms_epsilon": f32(cfg.rms_norm_eps),
  };
}

function headDim(cfg: HfConfig): number | undefined {
  const h = num(cfg, "hidden_size", "n_embd");
  const n = num(cfg, "num_attention_heads", "n_head");
  return num(cfg, "head_dim") ?? (h && n ? h / n : undefined);
}

/** Llama 3.x rope scaling as a `rope_freqs` tensor (Ollama's ropeFactors). */
function llama3RopeFactors(cfg: HfConfig): PlannedTensor[] {
  const rs = cfg.rope_scaling as Record<string, number | string> | undefined;
  const theta = num(cfg, "rope_theta");
  const dim = headDim(cfg);
  if (!rs || rs.rope_type !== "llama3" || !theta || !dim) return [];
  const factor = Number(rs.factor) || 8;
  const low = Number(rs.low_freq_factor) || 1;
  const high = Number(rs.high_freq_factor) || 4;
  const original = Number(rs.original_max_position_embeddings) || 8192;
  const values: number[] = [];
  for (let i = 0; i < dim; i += 2) {
    const lambda = 2 * Math.PI * Math.pow(theta, i / dim);
    if (lambda < original / high) values.push(1);
    else if (lambda > original / low) values.push(factor);
    else {
      const smooth = (original / lambda - low) / (high - low);
      values.push(1 / ((1 - smooth) / factor + smooth));
    }
  }
  return [{ name: "rope_freqs.weight", shape: [values.length], type: "F32", values: Float32Array.from(values) }];
}

const llama: Architecture = {
  arch: "llama",
  replacements: LLAMA_NAMES,
  kv(cfg) {
    const rs = cfg.rope_scaling as Record<string, unknown> | undefined;
    const hd = num(cfg, "head_dim");
    const heads = num(cfg, "num_attention_heads", "n_head");
    const hidden = num(cfg, "hidden_size", "n_embd");
    return archKv("llama", {
      vocab_size: u32(cfg.vocab_size),
      ...decoderKv(cfg),
      "rope.dimension_count": u32(hd ?? (hidden && heads ? hidden / heads : undefined)),
      "attention.key_length": u32(hd),
      "attention.value_length": u32(hd),
      "rope.scaling.type": rs?.type === "linear" ? str("linear") : undefined,
      "rope.scaling.factor": rs?.type === "linear" ? f32(rs.factor) : undefined,
    });
  },
  tensor(t, cfg) {
    const heads = num(cfg, "num_attention_heads", "n_head")!;
    if (/attn_q\.(weight|bias)$/.test(t.name)) return { ...t, transforms: [{ kind: "permute", heads }] };
    if (/attn_k\.(weight|bias)$/.test(t.name)) return { ...t, transforms: [{ kind: "permute", heads: num(cfg, "num_key_value_heads") ?? heads }] };
    return t;
  },
  extra: llama3RopeFactors,
};

const rope = (cfg: HfConfig) => {
  const rs = cfg.rope_scaling as Record<string, unknown> | undefined;
  return rs?.type === "yarn" ? { "rope.scaling.type": str("yarn"), "rope.scaling.factor": f32(rs.factor) } : {};
};

const qwen2: Architecture = {
  arch: "qwen2",
  replacements: LLAMA_NAMES,
  kv: (cfg) => archKv("qwen2", { ...decoderKv(cfg), ...rope(cfg) }),
};

const qwen3: Architecture = {
  arch: "qwen3",
  replacements: LLAMA_NAMES,
  kv: (cfg) =>
    archKv("qwen3", { ...decoderKv(cfg), "attention.key_length": u32(cfg.head_dim), "attention.value_length": u32(cfg.head_dim), ...rope(cfg) }),
};

/** Gemma's RMS norms multiply by (1 + w): llama.cpp wants the sum stored. */
function gemmaTensor(t: PlannedTensor): PlannedTensor {
  return t.name.endsWith("_norm.weight") ? { ...t, transforms: [{ kind: "addOne" }] } : t;
}

/** Gemma's special ids llama.cpp uses for end-of-turn and fill-in-the-middle (Ollama writes them). */
const gemmaTokens = {
  "tokenizer.ggml.eot_token_id": u32(107),
  "tokenizer.ggml.middle_token_id": u32(68),
  "tokenizer.ggml.prefix_token_id": u32(67),
  "tokenizer.ggml.suffix_token_id": u32(69),
};

const gemma2: Architecture = {
  arch: "gemma2",
  replacements: GEMMA_NAMES,
  kv: (cfg) =>
    archKv("gemma2", {
      ...decoderKv(cfg),
      "rope.freq_base": undefined,
      "attention.key_length": u32(cfg.head_dim),
      "attention.value_length": u32(cfg.head_dim),
      "attention.sliding_window": u32(cfg.sliding_window),
      attn_logit_softcapping: f32(cfg.attn_logit_softcapping),
      final_logit_softcapping: f32(cfg.final_logit_softcapping),
      ...gemmaTokens,
    }),
  tensor: gemmaTensor,
};

const gemma3: Architecture = {
  arch: "gemma3",
  replacements: GEMMA_NAMES,
  kv(cfg) {
    const layers = num(cfg, "num_hidden_layers") ?? 0;
    const types = cfg.layer_types as string[] | undefined;
    const pattern = num(cfg, "sliding_window_pattern");
    const swa = types?.length || pattern
      ? { type: "array<bool>" as const, value: Array.from({ length: layers }, (_, i) => (types?.length ? types[i] === "sliding_attention" : (i + 1) % pattern! !== 0)) }
      : undefined;
    return archKv("gemma3", {
      ...decoderKv(cfg),
      "attention.key_length": u32(cfg.head_dim),
      "attention.value_length": u32(cfg.head_dim),
      "attention.sliding_window": u32(cfg.sliding_window),
      "attention.sliding_window_pattern": swa,
      final_logit_softcapping: f32(cfg.final_logit_softcapping),
      "rope.local.freq_base": f32(num(cfg, "rope_local_base_freq") ?? 10000),
      "rope.freq_base": f32(num(cfg, "rope_theta") ?? 1000000),
      ...gemmaTokens,
    });
  },
  tensor: gemmaTensor,
};

const phi3: Architecture = {
  arch: "phi3",
  replacements: [
    ["lm_head", "output"],
    ["model.embed_tokens", "token_embd"],
    ["model.norm", "output_norm"],
    ["model.layers", "blk"],
    ["input_layernorm", "attn_norm"],
    ["self_attn.qkv_proj", "attn_qkv"],
    ["self_attn.o_proj", "attn_output"],
    ["mlp.down_proj", "ffn_down"],
    ["mlp.gate_up_proj", "ffn_up"],
    ["post_attention_layernorm", "ffn_norm"],
  ],
  kv(cfg) {
    const rs = (cfg.rope_scaling ?? {}) as Record<string, unknown>;
    const max = num(cfg, "max_position_embeddings") ?? 0;
    const orig = num(cfg, "original_max_position_embeddings") ?? 0;
    const scale = orig ? max / orig : 1;
    let attnFactor: number | undefined;
    if (rs.type === "su" || rs.type === "longrope") attnFactor = Math.max(Math.sqrt(1 + Math.log(scale) / Math.log(orig)), 1);
    else if (rs.type === "yarn") attnFactor = Math.max(0.1 * Math.log(scale) + 1, 1);
    return archKv("phi3", {
      ...decoderKv(cfg),
      "rope.dimension_count": u32(headDim(cfg)),
      "rope.scaling.original_context_length": u32(orig),
      "attention.sliding_window": u32(cfg.sliding_window),
      "rope.scaling.attn_factor": f32(attnFactor),
    });
  },
  extra(cfg) {
    const rs = (cfg.rope_scaling ?? {}) as Record<string, unknown>;
    const out: PlannedTensor[] = [];
    for (const [key, name] of [["long_factor", "rope_factors_long.weight"], ["short_factor", "rope_factors_short.weight"]] as const) {
      const v = rs[key];
      if (Array.isArray(v) && v.length) out.push({ name, shape: [v.length], type: "F32", values: Float32Array.from(v as number[]) });
    }
    return out;
  },
};

const bert: Architecture = {
  arch: "bert",
  replacements: [
    ["encoder.layer", "blk"],
    ["encoder.layers", "blk"],
    ["embeddings.word_embeddings", "token_embd"],
    ["embeddings.token_type_embeddings", "token_types"],
    ["embeddings.LayerNorm", "token_embd_norm"],
    ["embeddings.position_embeddings", "position_embd"],
    ["attention.self.query", "attn_q"],
    ["attention.self.key", "attn_k"],
    ["attention.self.value", "attn_v"],
    ["attention.output.dense", "attn_output"],
    ["attention.output.LayerNorm", "attn_output_norm"],
    ["intermediate.dense", "ffn_up"],
    ["output.dense", "ffn_down"],
    ["output.LayerNorm", "layer_output_norm"],
  ],
  kv: (cfg) =>
    archKv("bert", {
      "attention.causal": bool(false),
      pooling_type: { type: "uint32", value: Number(cfg.__pooling_type ?? 2) },
      normalize_embeddings: bool(cfg.__normalize === true),
      block_count: u32(num(cfg, "num_hidden_layers", "n_layers", "n_layer")),
      context_length: u32(num(cfg, "max_position_embeddings", "n_ctx")),
      embedding_length: u32(num(cfg, "hidden_size", "n_embd")),
      feed_forward_length: u32(num(cfg, "intermediate_size", "n_inner")),
      "attention.head_count": u32(num(cfg, "num_attention_heads", "n_head")),
      "attention.layer_norm_epsilon": f32(num(cfg, "layer_norm_eps", "layer_norm_epsilon", "norm_epsilon")),
      "tokenizer.ggml.model": str("bert"),
      "tokenizer.ggml.token_type_count": u32(2),
    }),
  tensor: (t) => (["embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"].includes(t.name) ? null : t),
  vocab(tok) {
    // llama.cpp's WordPiece marks word starts with U+2581 and continuations bare, the reverse of HF's `##`.
    tok.tokens = tok.tokens.map((e) => (e.startsWith("[") && e.endsWith("]") ? e : e.startsWith("##") ? e.slice(2) : `\u2581${e}`));
  },
};

export const ARCHITECTURES: Record<string, Architecture> = {
  LlamaForCausalLM: llama,
  MistralForCausalLM: llama,
  Qwen2ForCausalLM: qwen2,
  Qwen3ForCausalLM: qwen3,
  Gemma2ForCausalLM: gemma2,
  Gemma3ForCausalLM: gemma3,
  Phi3ForCausalLM: phi3,
  BertModel: bert,
};
