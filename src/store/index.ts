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
//   modelCapabilities(model, weights, { preferGo })  Ollama's Model.Capabilities(), for show, tags and inference
//   chooseTemplate(go, jinja, preferGo)              which template renders prompts (and gives capabilities)
//   modelDetails(model, weights?)   `details` for tags, show and ps
export * from "./blobs.js";
export * from "./manifest.js";
export * from "./model.js";
export * from "./prune.js";
export * from "./store.js";
export * from "./capabilities.js";
export * from "./details.js";
