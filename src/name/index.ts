// Model names and digests: parse, validate, display.
export * from "./name.js";
export * from "./digest.js";
