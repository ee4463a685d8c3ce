// One line per request in the format of gin's default logger, which Ollama's server log shows for every request
// (`[GIN] 2026/12/01 - 12:02:27 | 200 |    1.234567ms |       127.0.0.1 | POST     "/api/generate"`): users
// read it to see what their client calls and what it got, and scripts grep it. Written when the response ends
// (a stream's line comes at its end, as gin's does after the handler returns), to stdout as gin writes, with
// its colors when stdout is a terminal.

import type { IncomingMessage, ServerResponse } from "node:http";
import { goDuration } from "../util/duration.js";

const RESET = "\x1b[0m";

function statusColor(status: number): string {
  if (status >= 200 && status < 300) return "\x1b[97;42m";
  if (status >= 300 && status < 400) return "\x1b[90;47m";
  if (status >= 400 && status < 500) return "\x1b[90;43m";
  return "\x1b[97;41m";
}

const METHOD_COLORS: Record<string, string> = {
  GET: "\x1b[97;44m",
  POST: "\x1b[97;46m",
  PUT: "\x1b[90;43m",
  DELETE: "\x1b[97;41m",
  PATCH: "\x1b[97;42m",
  HEAD: "\x1b[97;45m",
  OPTIONS: "\x1b[90;47m",
};

const pad2 = (n: number) => String(n).padStart(2, "0");

/** gin's timestamp layout, "2006/01/02 - 15:04:05", in local time. */
function stamp(d: Date): string {
  return `${d.getFullYear()}/${pad2(d.getMonth() + 1)}/${pad2(d.getDate())} - ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

export interface AccessEntry {
  /** When the response ended (gin stamps the line then). */
  time: Date;
  status: number;
  latencyNs: bigint;
  clientIp: string;
  method: string;
  /** Path with its query, as the request line had it. */
  path: string;
}

/** gin 1.10's defaultLogFormatter (Ollama's): latency over a minute cut to whole seconds, the path quoted as Go's %#v. */
export function formatAccess(e: AccessEntry, color: boolean): string {
  const latency = e.latencyNs > 60_000_000_000n ? e.latencyNs - (e.latencyNs % 1_000_000_000n) : e.latencyNs;
  const [sc, mc, reset] = color ? [statusColor(e.status), METHOD_COLORS[e.method] ?? RESET, RESET] : ["", "", ""];
  return `[GIN] ${stamp(e.time)} |${sc} ${String(e.status).padStart(3)} ${reset}| ${goDuration(latency).padStart(13)} | ${e.clientIp.padStart(15)} |${mc} ${e.method.padEnd(7)} ${reset} ${JSON.stringify(e.path)}\n`;
}

/**
 * A `request` listener for the HTTP server that writes each request's line to `out` when its response ends.
 * `color`: gin's colors, which it uses when its output is a terminal (and TERM is not "dumb").
 */
export function accessLog(out: NodeJS.WritableStream, color: boolean): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const start = process.hrtime.bigint();
    // Read now: a socket the client has closed no longer has its address.
    const clientIp = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
    // `close` comes for a finished response and for a client that left before the end alike.
    res.once("close", () => {
      const latencyNs = process.hrtime.bigint() - start;
      out.write(formatAccess({ time: new Date(), status: res.statusCode, latencyNs, clientIp, method: req.method ?? "", path: req.url ?? "" }, color));
    });
  };
}
