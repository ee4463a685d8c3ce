// Server log lines in Ollama's slog text shape: `time=… level=INFO msg="…" key=value`.

export type Level = "DEBUG" | "INFO" | "WARN" | "ERROR";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

function value(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return /[\s"=]/.test(s ?? "") ? JSON.stringify(s) : String(s);
}

export function createLogger(out: NodeJS.WritableStream = process.stderr, debug = false): Logger {
  const write = (level: Level, msg: string, fields: Record<string, unknown> = {}) => {
    if (level === "DEBUG" && !debug) return;
    const kv = Object.entries(fields).map(([k, v]) => ` ${k}=${value(v)}`).join("");
    out.write(`time=${new Date().toISOString()} level=${level} msg=${value(msg)}${kv}\n`);
  };
  return {
    debug: (m, f) => write("DEBUG", m, f),
    info: (m, f) => write("INFO", m, f),
    warn: (m, f) => write("WARN", m, f),
    error: (m, f) => write("ERROR", m, f),
  };
}
