// Starts compat routes on a real HTTP server at port 0 for SDK-driven tests.

import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { AddressInfo } from "node:net";
import type { CompatBackend } from "../backend.js";
import { anthropicRoutes } from "../anthropic/routes.js";
import { openaiRoutes } from "../openai/routes.js";
import { rerankHandler } from "../rerank.js";

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

export async function serveCompat(backend: CompatBackend): Promise<TestServer> {
  const app = new Hono();
  app.route("/", openaiRoutes(backend));
  app.route("/", anthropicRoutes(backend));
  app.post("/api/rerank", rerankHandler(backend));
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
  });
}
