// ollama.com's account, web and status routes (ollama-spec §1.1, §13.1), which herd does not offer (§17): each
// answers as Ollama does with its cloud disabled (403 "ollama cloud is disabled: …"), so a client built for
// Ollama shows that state instead of failing on "404 page not found".

import type { Hono } from "hono";
import { CloudUnavailableError } from "../../util/errors.js";
import { errorResponse } from "../stream.js";

/** The routes answered with the 403 at once (no body is read): method, path, and the operation Ollama names. */
export const CLOUD_OFF: readonly (readonly ["post" | "delete", string, string])[] = [
  ["post", "/api/me", "sign-in is unavailable"],
  ["post", "/api/signout", "sign-in is unavailable"],
  ["delete", "/api/user/keys/:encodedKey", "sign-in is unavailable"],
  ["post", "/api/experimental/web_search", "web search is unavailable"],
  ["post", "/api/experimental/web_fetch", "web fetch is unavailable"],
];

export function cloudRoutes(app: Hono): void {
  // Ollama's `source` names what disabled its cloud (env, config or both); in herd nothing did, there is none.
  app.get("/api/status", (c) => c.json({ cloud: { disabled: true, source: "none" } }));
  for (const [method, path, what] of CLOUD_OFF) app[method](path, () => errorResponse(new CloudUnavailableError(what)));
  // Ollama's list names ollama.com's models; with no cloud, none to recommend.
  app.get("/api/experimental/model-recommendations", (c) => c.json({ recommendations: [] }));
}
