// Text-only translations: architecture renames, key fixes and tensor renames, no projector.
// Facts: ollama/ollama llama/compat/llama-ollama-compat.cpp (handle_gptoss, handle_llama3_metadata,
// handle_snowflake_arctic_embed2, handle_lfm2, handle_olmo3, handle_laguna, handle_qwen3next,
// handle_glm4moelite, handle_nemotron_h_moe).

import type { Plan } from "../plan.js";
import { archIs, type Handler, missingOrDefault } from "./handler.js";

/** gpt-oss: Ollama's converter wrote `gptoss`; llama.cpp calls it `gpt-oss`. */
export const gptoss: Handler = {
  name: "gptoss",
  detect: (p) => archIs(p, "gptoss"),
  text(p: Plan) {
    p.require({
      keys: ["gptoss.block_count"],
      tensors: p.has("gptoss.expert_feed_forward_length") ? [] : ["blk.0.ffn_gate_exps.weight"],
    });
    p.set("general.architecture", "string", "gpt-oss");
    p.movePrefix("gptoss.", "gpt-oss.");
    // The expert FFN width llama.cpp requires is the gate tensor's {n_embd, n_ff_exp, n_expert} middle dim.
    if (!p.has("gpt-oss.expert_feed_forward_length")) {
      p.set("gpt-oss.expert_feed_forward_length", "uint32", p.tensor("blk.0.ffn_gate_exps.weight")!.dims[1]!);
    }
    p.inject("gpt-oss.rope.scaling.type", "string", "yarn");
    // Harmony needs the gpt-4o pre-tokenizer; published files carry the generic GPT-2 marker.
    p.set("tokenizer.ggml.pre", "string", "gpt-4o");
    p.renameContaining(".attn_out", ".attn_output");
    p.renameContaining(".attn_sinks", ".attn_sinks.weight");
    p.renameContaining(".ffn_norm", ".post_attention_norm");
  },
};

function tokenAt(p: Plan, i: number, want: string): boolean {
  const toks = p.value("tokenizer.ggml.tokens");
  return Array.isArray(toks) && toks[i] === want;
}

/** Llama 3 files without a pre-tokenizer, or ending turns on <|end_of_text|> instead of <|eot_id|>. */
export const llama3: Handler = {
  name: "llama3-tokenizer",
  detect(p) {
    if (!archIs(p, "llama") || !tokenAt(p, 128009, "<|eot_id|>")) return false;
    const tmpl = p.str("tokenizer.chat_template") ?? "";
    const chat = tokenAt(p, 128006, "<|start_header_id|>") || tmpl.includes("<|start_header_id|>") || tmpl.includes("<|eot_id|>");
    return chat && (missingOrDefault(p, "tokenizer.ggml.pre") || p.num("tokenizer.ggml.eos_token_id") === 128001);
  },
  text(p: Plan) {
    if (missingOrDefault(p, "tokenizer.ggml.pre")) p.set("tokenizer.ggml.pre", "string", "llama-bpe");
    const eos = p.num("tokenizer.ggml.eos_token_id");
    if (eos === undefined || eos === 128001) p.set("tokenizer.ggml.eos_token_id", "uint32", 128009);
    const eot = p.num("tokenizer.ggml.eot_token_id");
    if (eot === undefined || eot === 128001) p.set("tokenizer.ggml.eot_token_id", "uint32", 128009);
    p.set("tokenizer.ggml.eos_token_ids", "array<int32>", [128009]);
  },
};

/** Snowflake Arctic Embed 2: the precompiled charsmap stored as one-character base64 strings. */
export const snowflakeArcticEmbed2: Handler = {
  name: "snowflake-arctic-embed2",
  detect(p) {
    if (!archIs(p, "bert") || p.str("tokenizer.ggml.model") !== "t5") return false;
    const kv = p.kv.get("tokenizer.ggml.precompiled_charsmap");
    return kv?.type === "array<string>";
  },
  text(p: Plan) {
    const items = p.value("tokenizer.ggml.precompiled_charsmap") as string[];
    const encoded = items.join("");
    const body = encoded.split("=")[0]!;
    if (items.some((s) => s.length !== 1) || !/^[A-Za-z0-9+/]*$/.test(body) || body.length === 0) {
      throw new Error("snowflake-arctic-embed2: tokenizer.ggml.precompiled_charsmap is not base64 text");
    }
    p.set("tokenizer.ggml.precompiled_charsmap", "array<uint8>", [...Buffer.from(body, "base64")]);
  },
};

/** LFM2: the pre-output norm under the name llama.cpp reads, and the FFN width from the tensor. */
export const lfm2: Handler = {
  name: "lfm2",
  detect: (p) => archIs(p, "lfm2") && p.tensor("output_norm.weight") !== undefined && p.tensor("token_embd_norm.weight") === undefined,
  text(p: Plan) {
    p.rename("output_norm.weight", "token_embd_norm.weight");
    p.set("tokenizer.ggml.pre", "string", "lfm2");
    const gate = p.tensor("blk.0.ffn_gate.weight");
    if (gate && p.num("lfm2.feed_forward_length") !== gate.dims[1]) p.set("lfm2.feed_forward_length", "uint32", gate.dims[1]!);
  },
};

/** OLMo 3 loads through llama.cpp's OLMo 2 path. */
export const olmo3: Handler = {
  name: "olmo3",
  detect: (p) => archIs(p, "olmo3"),
  text(p: Plan) {
    p.set("general.architecture", "string", "olmo2");
    p.movePrefix("olmo3.", "olmo2.");
  },
};

export const laguna: Handler = {
  name: "laguna",
  detect: (p) =>
    archIs(p, "laguna") &&
    (p.has("laguna.rope.swa.dimension_count") || p.has("laguna.rope.swa.freq_base") || p.tensor("blk.0.attn_g.weight") !== undefined),
  text(p: Plan) {
    p.copy("laguna.rope.swa.dimension_count", "laguna.rope.dimension_count_swa");
    p.copy("laguna.rope.swa.freq_base", "laguna.rope.freq_base_swa");
    for (const t of p.tensors) if (t.name.endsWith(".attn_g.weight")) t.name = t.name.slice(0, -".attn_g.weight".length) + ".attn_gate.weight";
  },
};

/** An array-valued per-layer key collapsed to its largest value (llama.cpp wants one number). */
export function collapseToMax(p: Plan, key: string, fallback: number): void {
  const v = p.value(key);
  if (!Array.isArray(v)) return;
  let max = 0;
  for (const x of v) if (Number(x) > max) max = Number(x);
  if (max === 0) max = fallback;
  if (max === 0) return;
  p.remove(key);
  p.set(key, "uint32", max);
}

export function renameSsmDt(p: Plan): void {
  for (const t of p.tensors) if (t.name.endsWith(".ssm_dt")) t.name += ".bias";
}

export const qwen3next: Handler = {
  name: "qwen3next",
  detect: (p) => archIs(p, "qwen3next") && p.tensors.some((t) => t.name.endsWith(".ssm_dt")),
  text(p: Plan) {
    collapseToMax(p, "qwen3next.attention.head_count_kv", 0);
    renameSsmDt(p);
  },
};

/** GLM-4.x Flash: DeepSeek-V2 MLA written with per-head dims; llama.cpp loads it as deepseek2. */
export const glm4moelite: Handler = {
  name: "glm4moelite",
  detect: (p) => archIs(p, "glm4moelite"),
  text(p: Plan) {
    p.set("general.architecture", "string", "deepseek2");
    p.copyPrefix("glm4moelite.", "deepseek2.");
    p.set("deepseek2.attention.head_count_kv", "uint32", 1);
    const rank = p.num("deepseek2.attention.kv_lora_rank");
    const rope = p.num("deepseek2.rope.dimension_count");
    if (rank !== undefined && rope !== undefined) {
      p.set("deepseek2.attention.key_length", "uint32", rank + rope);
      p.set("deepseek2.attention.value_length", "uint32", rank);
    }
    const head = p.num("glm4moelite.attention.key_length");
    if (head !== undefined) {
      p.set("deepseek2.attention.key_length_mla", "uint32", head);
      p.set("deepseek2.attention.value_length_mla", "uint32", head);
    }
    p.inject("deepseek2.expert_group_count", "uint32", 1);
    p.inject("deepseek2.expert_group_used_count", "uint32", 1);
    p.set("tokenizer.ggml.pre", "string", "glm4");
    for (const k of [...p.kv.keys()]) if (k.startsWith("glm4moelite.")) p.remove(k);
    const ids = p.value("tokenizer.ggml.eos_token_ids");
    if (Array.isArray(ids)) {
      const pos = ids.map(Number).filter((x) => x >= 0);
      if (!p.has("tokenizer.ggml.eot_token_id") && pos.length >= 2) p.set("tokenizer.ggml.eot_token_id", "uint32", pos[1]!);
      if (!p.has("tokenizer.ggml.eom_token_id") && pos.length >= 3) p.set("tokenizer.ggml.eom_token_id", "uint32", pos[2]!);
    }
  },
};

export const nemotronHMoe: Handler = {
  name: "nemotron_h_moe",
  detect: (p) =>
    archIs(p, "nemotron_h_moe") && (p.hasPrefix("blk.1.ffn_latent_in") || p.hasPrefix("blk.0.ffn_latent_in") || p.hasPrefix("mtp.")),
  text(p: Plan) {
    if (!p.has("nemotron_h_moe.moe_latent_size")) {
      const t = p.tensors.find((x) => /^blk\.\d+\.ffn_latent_in\.weight$/.test(x.name));
      if (t) p.set("nemotron_h_moe.moe_latent_size", "uint32", t.dims[1]!);
    }
    p.renameContaining(".ffn_latent_in", ".ffn_latent_down");
    p.renameContaining(".ffn_latent_out", ".ffn_latent_up");
    p.hide("mtp.");
  },
};
