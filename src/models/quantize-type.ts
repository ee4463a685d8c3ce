// The `quantize` values Ollama's create accepts (server/quantization.go, fs/ggml/type.go): F32, F16,
// BF16, Q8_0, Q4_K_S, Q4_K_M (Q4_K is an alias), case-insensitive. Anything else is a 400 with its words.

import { BadRequestError } from "../util/errors.js";

export const QUANTIZE_TYPES = ["F32", "F16", "BF16", "Q8_0", "Q4_K_S", "Q4_K_M"] as const;
export type QuantizeType = (typeof QUANTIZE_TYPES)[number];

export function parseQuantizeType(s: string): QuantizeType {
  const up = s.toUpperCase();
  const t = up === "Q4_K" ? "Q4_K_M" : up;
  if ((QUANTIZE_TYPES as readonly string[]).includes(t)) return t as QuantizeType;
  throw new BadRequestError(`unsupported quantization type ${s} - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0`);
}
