// GGUF: read a model file's header (never its tensor data), validate it, describe it.
//
//   readGguf(path, { validate? })  → GgufFile { version, metadata, types, tensors, alignment, dataOffset, fileSize, bytesRead }
//     Throws NotGgufError ("supplied file was not in GGUF format"), UnsupportedGgufVersionError (v1, >3),
//     CorruptGgufError (truncated header, unknown value/tensor type, misaligned or out-of-file tensor data);
//     all extend GgufError → BadRequestError (400). uint64/int64 values are numbers when exact, else bigint.
//   validateGguf(gguf)             the tensor checks readGguf runs by default
//   describeGguf(gguf)             { format, family, families, parameter_size, quantization_level, context_length?,
//                                    embedding_length?, architecture, pooling_type?, vision, chat_template?,
//                                    fileTypeName, parameterCount, kind }
//   modelInfo(gguf, { verbose })   /api/show `model_info` (Ollama's key set and array elision)
//   tensorsInfo(gguf)              /api/show `tensors`: [{ name, type, shape }]
//   writeGguf(path, spec) / encodeGguf(spec) / typedMetadata(gguf)   build GGUF files (tests, conversion)
//   ggml tables: ggmlType(id), ggmlTypeByName(name), tensorByteSize(type, dims), fileTypeName(n), fileTypeByName(s)
//   humanNumber(n)                 Ollama's format.HumanNumber; shortestFloat32(x) Go's float32 printing
//   F16/BF16 element codecs        halfFromFloat(x), floatFromHalf(h), floatsFromHalves(bytes), halvesFromFloats(v, type), …
export { readGguf, validateGguf, GGUF_MAGIC } from "./reader.js";
export type { GgufFile, GgufTensorInfo, GgufValue, GgufScalarType, GgufTypeName, ReadGgufOptions } from "./reader.js";
export { describeGguf, modelInfo, tensorsInfo, parameterCount, quantizationLevel, ggufKind } from "./details.js";
export type { GgufModelDetails, GgufKind, ModelInfoOptions, TensorSummary } from "./details.js";
export { writeGguf, encodeGguf, encodeGgufHeader, typedMetadata, ggufBytes, ggufSize } from "./writer.js";
export type { GgufWriteSpec, GgufWriteTensor, GgufTypedValue, GgufHeaderTensor } from "./writer.js";
export {
  GGML_TYPES,
  ggmlType,
  ggmlTypeByName,
  tensorByteSize,
  elementCount,
  fileTypeName,
  fileTypeByName,
} from "./ggml-types.js";
export type { GgmlType } from "./ggml-types.js";
export { humanNumber, shortestFloat32, goFixed } from "./numbers.js";
export {
  floatBits,
  halfFromFloatBits,
  halfFromFloat,
  floatFromHalf,
  bf16FromFloatBits,
  floatsFromHalves,
  floatsFromBf16,
  halvesFromFloats,
} from "./floats.js";
export { GgufError, NotGgufError, UnsupportedGgufVersionError, CorruptGgufError } from "../util/errors.js";
export { GgufCache } from "./cache.js";
