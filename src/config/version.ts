// herd's version, reported by /api/version and `herd --version`. Ollama clients compare it as semver.
export const VERSION = "0.12.0";
