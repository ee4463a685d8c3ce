// A cursor over the lexer's tokens, with text/template's error shapes: the parser's reading primitives.

import type { Pos } from "./ast.js";
import { TemplateError } from "./errors.js";
import { Lexer, type Token, type TokenKind } from "./lexer.js";

export class TokenCursor {
  protected readonly tokens: Token[];
  protected i = 0;

  constructor(protected readonly src: string) {
    this.tokens = new Lexer(src).run();
  }

  protected error(at: Pos, msg: string): never {
    throw new TemplateError(`template: :${at.line}:${at.col}: ${msg}`);
  }

  protected peek(): Token {
    return this.tokens[this.i]!;
  }

  protected next(): Token {
    return this.tokens[this.i++]!;
  }

  protected peekNonSpace(): Token {
    while (this.tokens[this.i]!.kind === "space") this.i++;
    return this.tokens[this.i]!;
  }

  protected nextNonSpace(): Token {
    const t = this.peekNonSpace();
    this.i++;
    return t;
  }

  protected expect(kind: TokenKind, context: string): Token {
    const t = this.nextNonSpace();
    if (t.kind !== kind) this.unexpected(t, context);
    return t;
  }

  protected unexpected(t: Token, context: string): never {
    if (t.kind === "eof") this.error(t, `unexpected EOF`);
    const what = t.kind === "right" ? "}}" : t.text;
    this.error(t, `unexpected ${JSON.stringify(what)} in ${context}`);
  }
}
