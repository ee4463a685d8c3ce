// The content-addressed model store, byte-compatible with Ollama's `~/.ollama/models`.
//
//   new Store(root)                 blobs (BlobStore: write/has/read/path/remove) + manifests
//   store.resolve(name)             stored spelling of a name (case-insensitive), or undefined
//   store.readManifest(name)        { name, manifest, raw, digest, modifiedAt } or ModelNotFoundError
//   store.writeManifest(name, m)    atomic; Manifest objects encoded as Ollama's json.Encoder
//   store.deleteManifest(name)      removes the file and empty parent dirs
//   store.list()                    every manifest; unreadable ones in `invalid`
//   store.removeUnreferenced(ds)    deletes those digests no manifest references
//   store.lock.run(fn)              serializes mutations in this process
//   readModel(store, name)          Model: paths, template, system, params, messages, license
//   pruneStore(store, opts)         startup GC (§5.4), keeps young partial downloads
export * from "./blobs.js";
export * from "./manifest.js";
export * from "./model.js";
export * from "./prune.js";
export * from "./store.js";
