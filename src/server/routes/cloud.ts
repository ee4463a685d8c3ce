// ollama.com's account, web and status routes (ollama-spec §1.1, §13.1), which herd does not offer (§17): each
// answers as Ollama does with its cloud disabled (403 "ollama cloud is disabled: …"), so a client built for
// Ollama shows that state instead of failing on "404 page not found".

import type { Hono } from "hono";
import { CloudUnavailableError } from "../../util/errors.js";
import { errorResponse } from "../stream.js";

export function cloudRoutes(app: Hono): void {
  // Ollama's `source` names what disabled its cloud (env, config or both); in herd nothing did, there is none.
  app.get("/api/status", (c) => c.json({ cloud: { disabled: true, source: "none" } }));
  const off = (what: string) => () => errorResponse(new CloudUnavailableError(what));
  app.post("/api/me", off("sign-in is unavailable"));
  app.post("/api/signout", off("sign-in is unavailable"));
  app.delete("/api/user/keys/:encodedKey", off("sign-in is unavailable"));
  app.post("/api/experimental/web_search", off("web search is unavailable"));
  app.post("/api/experimental/web_fetch", off("web fetch is unavailable"));
  // Ollama's list names ollama.com's models; with no cloud, none to recommend.
  app.get("/api/experimental/model-recommendations", (c) => c.json({ recommendations: [] }));
}
