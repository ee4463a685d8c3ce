// The OCI distribution client herd pulls and pushes through (ollama-spec §6, §13.3).
//
//   createRegistryClient({ fetch?, keyPath?, userAgent?, credentials?, env? })  RegistryClient:
//     .getManifest(name, { insecure, signal })   manifest bytes as served (404 → RegistryNotFoundError)
//     .resolveBlob(name, digest, opts)           where ranged GETs go: the registry (200) or a CDN (307)
//     .send(method, url, init) / .request(…)     auth on demand (Bearer token flow, Basic, Ed25519-signed
//                                                token requests), manual redirects, HTTP(S)_PROXY/NO_PROXY
//     .stream(method, url, init)                 `send` with a Node stream body (node:http(s) when direct)
//     .rawHeaders(url, anonymous)                headers for a raw plain-HTTP GET, or undefined (TLS, proxy)
//   repositoryUrl(name, insecure)                `<scheme>://host/v2/ns/model`; `insecure protocol http`
//   downloadBlob({ client, name, digest, size, blobs, signal, onProgress, tuning })
//                                                resumable parallel ranged download, verified, deduplicated
//   uploadBlob({ client, name, layer, path, … }) HEAD / mount / POST+PATCH+PUT upload session
//   putManifest(client, name, raw, opts)
//   ensureKeyPair(ollamaHome)                    `<ollamaHome>/id_ed25519` (OpenSSH), returns `ssh-ed25519 AAAA…`
//   proxyFor(url, env), noProxyMatches(…)        Go-compatible proxy selection
export * from "./client.js";
export * from "./download.js";
export * from "./upload.js";
export * from "./keys.js";
export * from "./proxy.js";
