// ggml tensor types (ggml.h `enum ggml_type`) with their block layout, and llama.cpp's
// `general.file_type` (`enum llama_ftype`) names. Sizes follow ggml's type_traits so a
// tensor's byte size can be checked against the file without reading its data.

export interface GgmlType {
  readonly id: number;
  readonly name: string;
  /** Elements per block. */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSize: number;
}

const TYPES: GgmlType[] = [
  { id: 0, name: "F32", blockSize: 1, typeSize: 4 },
  { id: 1, name: "F16", blockSize: 1, typeSize: 2 },
  { id: 2, name: "Q4_0", blockSize: 32, typeSize: 18 },
  { id: 3, name: "Q4_1", blockSize: 32, typeSize: 20 },
  // 4 and 5 (Q4_2, Q4_3) were removed from ggml; Ollama reads 4 as MXFP4 from early gpt-oss files.
  { id: 4, name: "MXFP4", blockSize: 32, typeSize: 17 },
  { id: 6, name: "Q5_0", blockSize: 32, typeSize: 22 },
  { id: 7, name: "Q5_1", blockSize: 32, typeSize: 24 },
  { id: 8, name: "Q8_0", blockSize: 32, typeSize: 34 },
  { id: 9, name: "Q8_1", blockSize: 32, typeSize: 36 },
  { id: 10, name: "Q2_K", blockSize: 256, typeSize: 84 },
  { id: 11, name: "Q3_K", blockSize: 256, typeSize: 110 },
  { id: 12, name: "Q4_K", blockSize: 256, typeSize: 144 },
  { id: 13, name: "Q5_K", blockSize: 256, typeSize: 176 },
  { id: 14, name: "Q6_K", blockSize: 256, typeSize: 210 },
  { id: 15, name: "Q8_K", blockSize: 256, typeSize: 292 },
  { id: 16, name: "IQ2_XXS", blockSize: 256, typeSize: 66 },
  { id: 17, name: "IQ2_XS", blockSize: 256, typeSize: 74 },
  { id: 18, name: "IQ3_XXS", blockSize: 256, typeSize: 98 },
  { id: 19, name: "IQ1_S", blockSize: 256, typeSize: 50 },
  { id: 20, name: "IQ4_NL", blockSize: 32, typeSize: 18 },
  { id: 21, name: "IQ3_S", blockSize: 256, typeSize: 110 },
  { id: 22, name: "IQ2_S", blockSize: 256, typeSize: 82 },
  { id: 23, name: "IQ4_XS", blockSize: 256, typeSize: 136 },
  { id: 24, name: "I8", blockSize: 1, typeSize: 1 },
  { id: 25, name: "I16", blockSize: 1, typeSize: 2 },
  { id: 26, name: "I32", blockSize: 1, typeSize: 4 },
  { id: 27, name: "I64", blockSize: 1, typeSize: 8 },
  { id: 28, name: "F64", blockSize: 1, typeSize: 8 },
  { id: 29, name: "IQ1_M", blockSize: 256, typeSize: 56 },
  { id: 30, name: "BF16", blockSize: 1, typeSize: 2 },
  // 31–33 (Q4_0_4_4…) and 36–38 (IQ4_NL_4_4…) were repacking types, removed from files.
  { id: 34, name: "TQ1_0", blockSize: 256, typeSize: 54 },
  { id: 35, name: "TQ2_0", blockSize: 256, typeSize: 66 },
  { id: 39, name: "MXFP4", blockSize: 32, typeSize: 17 },
];

const BY_ID = new Map<number, GgmlType>(TYPES.map((t) => [t.id, t]));
const BY_NAME = new Map<string, GgmlType>();
for (const t of TYPES) if (!BY_NAME.has(t.name) || t.id === 39) BY_NAME.set(t.name, t);

export const GGML_TYPES: readonly GgmlType[] = TYPES;

export function ggmlType(id: number): GgmlType | undefined {
  return BY_ID.get(id);
}

/** Look a type up by name (`"Q4_0"`, case-insensitive). */
export function ggmlTypeByName(name: string): GgmlType | undefined {
  return BY_NAME.get(name.toUpperCase());
}

/** Element count of a shape (product of dims; 1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/**
 * Bytes a tensor occupies, as ggml_nbytes computes it for a contiguous tensor:
 * rows of `dims[0] / blockSize` blocks. Undefined for an unknown type.
 */
export function tensorByteSize(typeId: number, dims: readonly number[]): number | undefined {
  const t = BY_ID.get(typeId);
  if (!t) return undefined;
  if (dims.length === 0) return t.typeSize;
  const rows = elementCount(dims.slice(1));
  return Math.ceil(dims[0]! / t.blockSize) * t.typeSize * rows;
}

// llama_ftype values → the names Ollama shows as `quantization_level`.
const FILE_TYPES: Record<number, string> = {
  0: "F32",
  1: "F16",
  2: "Q4_0",
  3: "Q4_1",
  4: "MXFP4",
  7: "Q8_0",
  8: "Q5_0",
  9: "Q5_1",
  10: "Q2_K",
  11: "Q3_K_S",
  12: "Q3_K_M",
  13: "Q3_K_L",
  14: "Q4_K_S",
  15: "Q4_K_M",
  16: "Q5_K_S",
  17: "Q5_K_M",
  18: "Q6_K",
  19: "IQ2_XXS",
  20: "IQ2_XS",
  21: "Q2_K_S",
  22: "IQ3_XS",
  23: "IQ3_XXS",
  24: "IQ1_S",
  25: "IQ4_NL",
  26: "IQ3_S",
  27: "IQ3_M",
  28: "IQ2_S",
  29: "IQ2_M",
  30: "IQ4_XS",
  31: "IQ1_M",
  32: "BF16",
  36: "TQ1_0",
  37: "TQ2_0",
  38: "MXFP4",
};

/** LLAMA_FTYPE_GUESSED: llama.cpp ORs it in when the type was inferred, not declared. */
const FTYPE_GUESSED = 1024;

/** `general.file_type` → name (`Q4_K_M`), or `"unknown"` as Ollama says for values it does not know. */
export function fileTypeName(fileType: number): string {
  return FILE_TYPES[fileType & ~FTYPE_GUESSED] ?? "unknown";
}

/** Name → `general.file_type` value (first match), for writers and quantize requests. */
export function fileTypeByName(name: string): number | undefined {
  const upper = name.toUpperCase();
  for (const [k, v] of Object.entries(FILE_TYPES)) if (v === upper) return Number(k);
  return undefined;
}
