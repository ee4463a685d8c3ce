// The route table (ollama-spec §1.1). Middleware order as Ollama: CORS, then the Host guard.

import { Hono } from "hono";
import { openaiRoutes, anthropicRoutes, rerankHandler } from "./compat/index.js";
import type { AppDeps } from "./deps.js";
import { jsonBodyLimit } from "./edge.js";
import { cors, hostGuard } from "./middleware.js";
import { cloudRoutes } from "./routes/cloud.js";
import { inferenceRoutes } from "./routes/inference.js";
import { modelRoutes } from "./routes/models.js";
import { errorResponse } from "./stream.js";

export { JSON_BODY_LIMIT } from "./edge.js";

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use("*", cors(deps.origins));
  app.use("*", hostGuard(deps.boundToLoopback));
  // JSON bodies are buffered, so they are capped; blob uploads stream to disk and are not.
  app.use("*", jsonBodyLimit());

  app.on(["GET", "HEAD"], "/", (c) => c.text("Ollama is running"));
  app.on(["GET", "HEAD"], "/api/version", (c) => c.json({ version: deps.version }));

  modelRoutes(app, deps);
  inferenceRoutes(app, deps);
  cloudRoutes(app);

  const backend = {
    chat: deps.inference.chat.bind(deps.inference),
    generate: deps.inference.generate.bind(deps.inference),
    embed: deps.inference.embed.bind(deps.inference),
    list: deps.models.list.bind(deps.models),
    show: (name: string) => deps.models.show(name),
    countChatTokens: deps.inference.countChatTokens.bind(deps.inference),
    rerank: deps.inference.rerank.bind(deps.inference),
  };
  app.post("/api/rerank", rerankHandler(backend));
  app.route("/", openaiRoutes(backend));
  app.route("/", anthropicRoutes(backend));

  // Gin's HandleMethodNotAllowed: a known path with the wrong method is 405, anything else 404.
  const patterns = app.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => new RegExp("^" + r.path.replace(/:[^/]+/g, "[^/]+") + "$"));
  app.notFound((c) => {
    if (patterns.some((re) => re.test(c.req.path))) return c.text("405 method not allowed", 405);
    return c.text("404 page not found", 404);
  });
  app.onError((err) => errorResponse(err));
  return app;
}

/**
 * The fetch handler to serve. HEAD is answered by running GET and dropping the body ourselves:
 * Hono's own HEAD path builds `new Response(null, response)`, which @hono/node-server's
 * Response rejects (every HEAD became a 500).
 */
export function fetchHandler(app: Hono): (req: Request, env?: unknown) => Promise<Response> {
  // `env`: @hono/node-server's Node request and response, which edge.ts reads the body from.
  return async (req, env) => {
    if (req.method !== "HEAD") return app.fetch(req, env);
    const res = await app.fetch(new Request(req.url, { method: "GET", headers: req.headers }), { head: true });
    return new Response(null, { status: res.status, headers: res.headers });
  };
}
