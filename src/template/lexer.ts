// Lexer for Go's text/template: splits text from `{{ … }}` actions, applies `{{-`/`-}}` trimming,
// drops comments, and tokenizes action bodies. Positions are 1-based line and column (in UTF-16 units).

import { TemplateError } from "./errors.js";

export type TokenKind =
  | "text"
  | "left" // `{{`
  | "right" // `}}`
  | "ident" // function name or keyword
  | "field" // `.Name`
  | "variable" // `$` or `$name`
  | "dot"
  | "bool"
  | "nil"
  | "number"
  | "string"
  | "char"
  | "pipe"
  | "lparen"
  | "rparen"
  | "declare"
  | "assign"
  | "comma"
  | "space"
  | "eof";

export interface Token {
  kind: TokenKind;
  /** Source text (for `text`: after trimming; for `string`/`number`: the literal as written). */
  text: string;
  pos: number;
  line: number;
  col: number;
}

const KEYWORDS = new Set(["block", "break", "continue", "define", "else", "end", "if", "range", "template", "with"]);

function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}

function isAlnum(c: string | undefined): boolean {
  if (c === undefined) return false;
  return /[\p{L}\p{Nd}_]/u.test(c);
}

const NUMBER_RE =
  /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?\d+)?|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|(?:\d(?:_?\d)*)?\.?(?:\d(?:_?\d)*)?(?:[eE][+-]?\d+)?)i?/;

export class Lexer {
  private pos = 0;
  private lineStarts: number[] = [0];
  readonly tokens: Token[] = [];

  constructor(private readonly src: string) {
    for (let i = 0; i < src.length; i++) if (src[i] === "\n") this.lineStarts.push(i + 1);
  }

  lineCol(pos: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: pos - this.lineStarts[lo]! + 1 };
  }

  private error(pos: number, msg: string): never {
    const { line, col } = this.lineCol(pos);
    throw new TemplateError(`template: :${line}:${col}: ${msg}`);
  }

  private emit(kind: TokenKind, text: string, pos: number): void {
    const { line, col } = this.lineCol(pos);
    this.tokens.push({ kind, text, pos, line, col });
  }

  run(): Token[] {
    const src = this.src;
    let trimNext = false;
    while (this.pos < src.length) {
      const start = this.pos;
      const open = src.indexOf("{{", start);
      const end = open < 0 ? src.length : open;
      let text = src.slice(start, end);
      const leftTrim = open >= 0 && src[open + 2] === "-" && isSpace(src[open + 3]);
      if (trimNext) text = text.replace(/^[ \t\r\n]+/, "");
      if (leftTrim) text = text.replace(/[ \t\r\n]+$/, "");
      if (text.length > 0) this.emit("text", text, start);
      trimNext = false;
      if (open < 0) {
        this.pos = src.length;
        break;
      }
      this.pos = open + 2 + (leftTrim ? 2 : 0);
      if (src.startsWith("/*", this.pos)) {
        trimNext = this.comment(open);
        continue;
      }
      this.emit("left", "{{", open);
      trimNext = this.action();
    }
    this.emit("eof", "", src.length);
    return this.tokens;
  }

  /** Skips a `/* … *\/` comment; returns whether it ends with a right trim marker. */
  private comment(open: number): boolean {
    const close = this.src.indexOf("*/", this.pos + 2);
    if (close < 0) this.error(open, "unclosed comment");
    let p = close + 2;
    let trim = false;
    if (isSpace(this.src[p]) && this.src[p + 1] === "-" && this.src.startsWith("}}", p + 2)) {
      trim = true;
      p += 2;
    }
    if (!this.src.startsWith("}}", p)) this.error(open, "comment ends before closing delimiter");
    this.pos = p + 2;
    return trim;
  }

  /** Tokenizes one action body; returns whether the closing delimiter trims. */
  private action(): boolean {
    const src = this.src;
    let parens = 0;
    for (;;) {
      const p = this.pos;
      const c = src[p];
      if (c === undefined) this.error(p, "unclosed action");
      if (isSpace(c)) {
        let q = p;
        while (isSpace(src[q])) q++;
        if (src[q - 1] !== undefined && src[q] === "-" && src.startsWith("}}", q + 1)) {
          if (parens > 0) this.error(q, "unclosed left paren");
          this.emit("right", "}}", q);
          this.pos = q + 3;
          return true;
        }
        if (src[q] === "}" && src[q + 1] === "}") {
          this.pos = q;
          continue;
        }
        this.emit("space", src.slice(p, q), p);
        this.pos = q;
        continue;
      }
      if (c === "}" && src[p + 1] === "}") {
        if (parens > 0) this.error(p, "unclosed left paren");
        this.emit("right", "}}", p);
        this.pos = p + 2;
        return false;
      }
      if (c === "|") {
        this.emit("pipe", c, p);
        this.pos++;
      } else if (c === "(") {
        parens++;
        this.emit("lparen", c, p);
        this.pos++;
      } else if (c === ")") {
        if (--parens < 0) this.error(p, `unexpected right paren`);
        this.emit("rparen", c, p);
        this.pos++;
      } else if (c === ":") {
        if (src[p + 1] !== "=") this.error(p, "expected :=");
        this.emit("declare", ":=", p);
        this.pos += 2;
      } else if (c === "=") {
        this.emit("assign", "=", p);
        this.pos++;
      } else if (c === ",") {
        this.emit("comma", c, p);
        this.pos++;
      } else if (c === '"') {
        this.quoted(p, '"', "string");
      } else if (c === "`") {
        const close = src.indexOf("`", p + 1);
        if (close < 0) this.error(p, "unterminated raw quoted string");
        this.emit("string", src.slice(p, close + 1), p);
        this.pos = close + 1;
      } else if (c === "'") {
        this.quoted(p, "'", "char");
      } else if (c === "$") {
        let q = p + 1;
        while (isAlnum(src[q])) q++;
        this.emit("variable", src.slice(p, q), p);
        this.pos = q;
      } else if (c === "." && !/[0-9]/.test(src[p + 1] ?? "")) {
        let q = p + 1;
        while (isAlnum(src[q])) q++;
        if (q === p + 1) this.emit("dot", ".", p);
        else this.emit("field", src.slice(p, q), p);
        this.pos = q;
      } else if (/[0-9+\-.]/.test(c)) {
        const m = NUMBER_RE.exec(src.slice(p));
        if (!m || m[0] === "" || m[0] === "+" || m[0] === "-" || isAlnum(src[p + m[0].length])) {
          this.error(p, `bad number syntax: "${src.slice(p, p + Math.max(1, m?.[0].length ?? 1))}"`);
        }
        this.emit("number", m[0], p);
        this.pos = p + m[0].length;
      } else if (isAlnum(c)) {
        let q = p;
        while (isAlnum(src[q])) q++;
        const word = src.slice(p, q);
        if (word === "true" || word === "false") this.emit("bool", word, p);
        else if (word === "nil") this.emit("nil", word, p);
        else this.emit("ident", word, p);
        this.pos = q;
      } else {
        this.error(p, `unexpected ${JSON.stringify(c)} in command`);
      }
    }
  }

  private quoted(p: number, quote: string, kind: TokenKind): void {
    const src = this.src;
    let q = p + 1;
    for (;;) {
      const c = src[q];
      if (c === undefined || c === "\n") {
        this.error(p, kind === "char" ? "unterminated character constant" : "unterminated quoted string");
      }
      if (c === "\\") q += 2;
      else if (c === quote) break;
      else q++;
    }
    this.emit(kind, src.slice(p, q + 1), p);
    this.pos = q + 1;
  }
}

export function isKeyword(word: string): boolean {
  return KEYWORDS.has(word);
}
