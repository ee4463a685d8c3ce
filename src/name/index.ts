// Model names and digests: parse, validate, display; source suffixes (:local, :cloud).
export * from "./name.js";
export * from "./digest.js";
export * from "./ref.js";
