// CORS and the DNS-rebinding Host guard, in Ollama's order (ollama-spec §1.0).

import type { MiddlewareHandler } from "hono";
import { hostname, networkInterfaces } from "node:os";
import { isIP } from "node:net";

const ALLOW_HEADERS = [
  "Authorization", "Content-Type", "User-Agent", "Accept", "X-Requested-With", "OpenAI-Beta",
  ...["arch", "async", "custom-poll-interval", "helper-method", "lang", "os", "package-version", "poll-helper", "retry-count", "runtime", "runtime-version", "timeout"].map((h) => `x-stainless-${h}`),
  // Anthropic's SDK sends these from browsers.
  "anthropic-version", "anthropic-beta", "anthropic-dangerous-direct-browser-access", "x-api-key",
].join(", ");

/** gin-contrib/cors wildcard rule: one `*` matches any run of characters. */
export function originAllowed(origin: string, patterns: string[]): boolean {
  for (const p of patterns) {
    if (p === "*" || p === origin) return true;
    const star = p.indexOf("*");
    if (star >= 0) {
      const pre = p.slice(0, star);
      const post = p.slice(star + 1);
      if (origin.length >= pre.length + post.length && origin.startsWith(pre) && origin.endsWith(post)) return true;
    }
  }
  return false;
}

export function cors(patterns: string[]): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header("Origin");
    if (!origin) return next();
    if (!originAllowed(origin, patterns)) return c.body(null, 403);
    const headers: Record<string, string> = {
      "Access-Control-Allow-Origin": patterns.includes("*") ? "*" : origin,
      Vary: "Origin",
    };
    if (c.req.method === "OPTIONS" && c.req.header("Access-Control-Request-Method")) {
      return c.body(null, 204, {
        ...headers,
        "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS",
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
        "Access-Control-Max-Age": "43200",
      });
    }
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  };
}

function isPrivateOrLocalIp(ip: string): boolean {
  const v = isIP(ip);
  if (v === 4) {
    const [a, b] = ip.split(".").map(Number);
    return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (v === 6) {
    const l = ip.toLowerCase();
    return l === "::1" || l === "::" || l.startsWith("fc") || l.startsWith("fd") || l.startsWith("fe80");
  }
  return false;
}

export function hostAllowed(hostHeader: string | undefined): boolean {
  if (!hostHeader) return true;
  let host = hostHeader;
  if (host.startsWith("[")) host = host.slice(1, host.indexOf("]"));
  else if (host.split(":").length === 2) host = host.split(":")[0];
  host = host.toLowerCase();
  // The common cases first: a loopback or private address needs no system call.
  if (host === "" || host === "localhost" || isPrivateOrLocalIp(host)) return true;
  if (host === hostname().toLowerCase() || /\.(localhost|local|internal)$/.test(host)) return true;
  if (isIP(host)) {
    for (const addrs of Object.values(networkInterfaces())) {
      if (addrs?.some((a) => a.address.toLowerCase() === host)) return true;
    }
  }
  return false;
}

/** Only when bound to loopback: a page on another origin that rebinds DNS to 127.0.0.1 is refused. */
export function hostGuard(boundToLoopback: boolean): MiddlewareHandler {
  return async (c, next) => {
    if (!boundToLoopback) return next();
    if (!hostAllowed(c.req.header("Host"))) return c.body(null, 403);
    if (c.req.method === "OPTIONS") return c.body(null, 204);
    return next();
  };
}
