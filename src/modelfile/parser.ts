// Modelfile parser: the grammar and error messages of Ollama's parser/parser.go, as a
// rune-by-rune state machine so odd inputs (CRLF line counts, unterminated quotes, spaces
// inside values) behave the way Ollama's do.

import { ModelfileError } from "../util/errors.js";

export interface ModelfileCommand {
  /** `model` (FROM), `license`, `template`, `system`, `adapter`, `draft`, `renderer`, `parser`,
   *  `requires`, `message`, or a parameter name (case kept, e.g. `num_ctx`). */
  name: string;
  /** The unquoted value; for `message`, `role: content`. */
  args: string;
}

export interface Modelfile {
  commands: ModelfileCommand[];
}

export const COMMAND_ERROR =
  'command must be one of "from", "license", "template", "system", "adapter", "draft", "renderer", "parser", "parameter", "message", or "requires"';
export const ROLE_ERROR = 'message role must be one of "system", "user", or "assistant"';

const COMMANDS = new Set(["from", "license", "template", "system", "adapter", "draft", "renderer", "parser", "parameter", "message", "requires"]);
const ROLES = new Set(["system", "user", "assistant"]);

const enum State {
  Nil,
  Name,
  Value,
  Parameter,
  Message,
  Comment,
}

const isAlpha = (c: string) => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
const isDigit = (c: string) => c >= "0" && c <= "9";
const isSpace = (c: string) => c === " " || c === "\t";
const isNewline = (c: string) => c === "\r" || c === "\n";
// Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const isPrint = (c: string) => c !== "" && (c.charCodeAt(0) < 0x80 ? c >= " " && c <= "~" : PRINTABLE.test(c));

type Step = { next: State; rune: string } | { error: "command" | "eof" };

function step(c: string, s: State): Step {
  switch (s) {
    case State.Nil:
      if (c === "#") return { next: State.Comment, rune: "" };
      if (isSpace(c) || isNewline(c)) return { next: State.Nil, rune: "" };
      return { next: State.Name, rune: c };
    case State.Name:
      if (isAlpha(c)) return { next: State.Name, rune: c };
      if (isSpace(c)) return { next: State.Value, rune: "" };
      return { error: "command" };
    case State.Value:
      if (isNewline(c) || isSpace(c)) return { next: State.Nil, rune: c };
      return { next: State.Value, rune: c };
    case State.Parameter:
      if (isAlpha(c) || isDigit(c) || c === "_") return { next: State.Parameter, rune: c };
      if (isSpace(c)) return { next: State.Value, rune: "" };
      return { error: "eof" };
    case State.Message:
      if (isAlpha(c)) return { next: State.Message, rune: c };
      if (isSpace(c)) return { next: State.Value, rune: "" };
      return { error: "eof" };
    case State.Comment:
      return { next: isNewline(c) ? State.Nil : State.Comment, rune: "" };
  }
}

/** Strip `"…"` or `"""…"""`; `ok` is false while a quote is still open. */
export function unquote(s: string): { value: string; ok: boolean } {
  if (s.startsWith('"""')) {
    return s.length >= 6 && s.endsWith('"""') ? { value: s.slice(3, -3), ok: true } : { value: "", ok: false };
  }
  if (s.startsWith('"')) {
    return s.length >= 2 && s.endsWith('"') ? { value: s.slice(1, -1), ok: true } : { value: "", ok: false };
  }
  return { value: s, ok: true };
}

/** Bytes → text the way Ollama reads files: UTF-8, or UTF-16 when a UTF-16 BOM says so. */
function decode(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes);
  return new TextDecoder("utf-8").decode(bytes);
}

/** Parse Modelfile text (or bytes: UTF-8, or UTF-16 with a BOM). Throws ModelfileError. */
export function parseModelfile(input: string | Uint8Array): Modelfile {
  let text = typeof input === "string" ? input : decode(input);
  if (text.startsWith("\uFEFF")) text = text.slice(1);

  const commands: ModelfileCommand[] = [];
  let cmdName = "";
  let curr = State.Nil;
  let line = 1;
  let buf = "";
  let role = "";

  for (const c of text) {
    // Ollama counts \r and \n separately, so CRLF files report doubled line numbers.
    if (isNewline(c)) line++;

    const r = step(c, curr);
    if ("error" in r) {
      if (r.error === "eof") throw new ModelfileError(`unexpected EOF: ${buf}`);
      throw new ModelfileError(COMMAND_ERROR, line);
    }
    let next = r.next;

    if (next !== curr) {
      switch (curr) {
        case State.Name: {
          const name = buf.toLowerCase();
          if (!COMMANDS.has(name)) throw new ModelfileError(COMMAND_ERROR, line);
          if (name === "from") cmdName = "model";
          else if (name === "parameter") next = State.Parameter;
          else {
            if (name === "message") next = State.Message;
            cmdName = name;
          }
          break;
        }
        case State.Parameter:
          cmdName = buf;
          break;
        case State.Message:
          if (!ROLES.has(buf)) throw new ModelfileError(ROLE_ERROR, line);
          role = buf;
          break;
        case State.Value: {
          const { value, ok } = unquote(buf.trim());
          if (!ok || isSpace(c)) {
            buf += r.rune;
            continue;
          }
          commands.push({ name: cmdName, args: role ? `${role}: ${value}` : value });
          role = "";
          break;
        }
        default:
          break;
      }
      buf = "";
      curr = next;
    }

    if (isPrint(r.rune)) buf += r.rune;
  }

  switch (curr) {
    case State.Nil:
    case State.Comment:
      break;
    case State.Value: {
      const { value, ok } = unquote(buf.trim());
      if (!ok) throw new ModelfileError("unexpected EOF");
      commands.push({ name: cmdName, args: role ? `${role}: ${value}` : value });
      break;
    }
    default:
      throw new ModelfileError("unexpected EOF");
  }

  if (!commands.some((c) => c.name === "model")) throw new ModelfileError("no FROM line");
  return { commands };
}
