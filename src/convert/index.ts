// Hugging Face safetensors → GGUF, streamed (ollama-spec §7.5).
//
//   SourceFiles.of({ relpath: absPath })           the model directory (local files or uploaded blobs)
//   isSafetensorsUpload(names)                      does a `files` map hold a checkpoint rather than GGUF
//   planModel(files, outType?)                      → ConversionPlan (metadata + tensor sources); throws
//                                                     ConversionError (400) for unsupported architectures,
//                                                     missing tokenizer/config/shards, truncated files, bad dtypes
//   planAdapter(files, baseMetadata)                a PEFT LoRA adapter for a llama base
//   convertedBytes(plan, { signal, onProgress })    the GGUF file as bytes in order (pipe into the blob store)
//   readCheckpoint / writeSafetensors               safetensors headers; writing (tests, benchmarks)
export { SourceFiles, isSafetensorsUpload } from "./source.js";
export { planModel, outputType, SUPPORTED_ARCHITECTURES, FILE_TYPE } from "./convert.js";
export { planAdapter } from "./adapter.js";
export { convertedBytes, planSpec } from "./stream.js";
export type { StreamOptions } from "./stream.js";
export type { ConversionPlan, PlannedTensor } from "./plan.js";
export type { OutType } from "./floats.js";
export { readCheckpoint, readSafetensorsHeader, writeSafetensors } from "./safetensors.js";
export type { SafeTensor, FloatDtype } from "./safetensors.js";
export { parseTokenizer } from "./tokenizer.js";
export type { Tokenizer } from "./tokenizer.js";
export { encodeSentencePiece, decodeSentencePiece } from "./sentencepiece.js";
