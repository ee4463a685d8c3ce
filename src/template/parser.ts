// Parser for Go's text/template, following text/template/parse: the same nodes, the same checks
// (undefined functions and variables, break outside range, missing values), errors with line:col.

import type {
  ArgNode,
  BranchNode,
  CommandNode,
  ListNode,
  Node,
  PipeNode,
  Pos,
  TemplateNode,
} from "./ast.js";
import { isKeyword, type Token } from "./lexer.js";
import { parseNumber, unquote } from "./literals.js";
import { TokenCursor } from "./token-cursor.js";
import { GoFloat } from "./values.js";

export interface ParsedTemplate {
  root: ListNode;
  /** `{{define}}`/`{{block}}` bodies by name. */
  defines: Map<string, ListNode>;
}

type EndKind = "end" | "else";

interface Terminator extends Pos {
  kind: EndKind;
  /** For `{{else if …}}`/`{{else with …}}`: the keyword that follows `else`. */
  chained?: "if" | "with";
}

export function parse(src: string, funcs: ReadonlySet<string>): ParsedTemplate {
  return new Parser(src, funcs).parse();
}

class Parser extends TokenCursor {
  private vars: string[] = ["$"];
  private rangeDepth = 0;
  private defines = new Map<string, ListNode>();

  constructor(
    src: string,
    private readonly funcs: ReadonlySet<string>,
  ) {
    super(src);
  }

  parse(): ParsedTemplate {
    const root: ListNode = { type: "list", nodes: [] };
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") break;
      if (t.kind === "left") {
        const save = this.i;
        this.next();
        const kw = this.peekNonSpace();
        if (kw.kind === "ident" && kw.text === "define") {
          this.next();
          this.parseDefinition();
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if ("kind" in n) this.error(n, `unexpected {{${n.kind}}}`);
      root.nodes.push(n);
    }
    return { root, defines: this.defines };
  }

  private parseDefinition(): void {
    const nameTok = this.nextNonSpace();
    if (nameTok.kind !== "string") this.unexpected(nameTok, "define clause");
    const name = this.literal(nameTok);
    this.expect("right", "define clause");
    // A definition is its own tree: it sees only `$`, never the variables around it.
    const saved = this.vars;
    this.vars = ["$"];
    const { list, end } = this.itemList();
    this.vars = saved;
    if (end.kind !== "end") this.error(end, `unexpected {{${end.kind}}} in define clause`);
    this.defines.set(name, list);
  }

  private itemList(): { list: ListNode; end: Terminator } {
    const list: ListNode = { type: "list", nodes: [] };
    for (;;) {
      if (this.peekNonSpace().kind === "eof") this.error(this.peek(), "unexpected EOF");
      const n = this.textOrAction();
      if ("kind" in n) return { list, end: n };
      list.nodes.push(n);
    }
  }

  private textOrAction(): Node | Terminator {
    const t = this.next();
    if (t.kind === "text") return { type: "text", text: t.text };
    if (t.kind === "left") return this.action(t);
    return this.unexpected(t, "input");
  }

  private action(left: Token): Node | Terminator {
    const t = this.peekNonSpace();
    if (t.kind === "ident" && isKeyword(t.text)) {
      this.next();
      switch (t.text) {
        case "block":
          return this.blockControl(t);
        case "break":
        case "continue":
          if (this.rangeDepth === 0) this.error(t, `{{${t.text}}} outside {{range}}`);
          this.expect("right", t.text);
          return { type: t.text, line: t.line, col: t.col };
        case "else":
          return this.elseControl(t);
        case "end":
          this.expect("right", "end");
          return { kind: "end", line: t.line, col: t.col };
        case "if":
        case "range":
        case "with":
          return this.control(t.text, t);
        case "template":
          return this.templateControl(t);
        case "define":
          this.error(t, "unexpected define in command");
      }
    }
    const pipe = this.pipeline("command", "right");
    return { type: "action", pipe, line: left.line, col: left.col };
  }

  private elseControl(t: Token): Terminator {
    const p = this.peekNonSpace();
    if (p.kind === "ident" && (p.text === "if" || p.text === "with")) {
      return { kind: "else", line: t.line, col: t.col, chained: p.text };
    }
    this.expect("right", "else");
    return { kind: "else", line: t.line, col: t.col };
  }

  private control(kind: "if" | "range" | "with", at: Pos): Node {
    const mark = this.vars.length;
    const pipe = this.pipeline(kind, "right");
    if (kind === "range") this.rangeDepth++;
    const { list, end } = this.itemList();
    if (kind === "range") this.rangeDepth--;
    let elseList: ListNode | undefined;
    if (end.kind === "else") {
      if (end.chained && end.chained === kind) {
        // `{{else if x}}` is `{{else}}{{if x}}…{{end}}{{end}}` sharing the single final {{end}}.
        const kw = this.nextNonSpace();
        elseList = { type: "list", nodes: [this.control(end.chained, kw)] };
      } else {
        if (end.chained) this.error(end, `unexpected ${JSON.stringify(end.chained)} in else`);
        const rest = this.itemList();
        if (rest.end.kind !== "end") this.error(rest.end, `expected end; found {{else}}`);
        elseList = rest.list;
      }
    }
    this.vars.length = mark;
    const branch: BranchNode = { pipe, list, elseList, line: at.line, col: at.col };
    return { type: kind, ...branch };
  }

  private templateControl(at: Token): TemplateNode {
    const nameTok = this.nextNonSpace();
    if (nameTok.kind !== "string") this.unexpected(nameTok, "template clause");
    const name = this.literal(nameTok);
    let pipe: PipeNode | undefined;
    if (this.peekNonSpace().kind !== "right") pipe = this.pipeline("template clause", "right");
    else this.next();
    return { type: "template", name, pipe, line: at.line, col: at.col };
  }

  private blockControl(at: Token): TemplateNode {
    const nameTok = this.nextNonSpace();
    if (nameTok.kind !== "string") this.unexpected(nameTok, "block clause");
    const name = this.literal(nameTok);
    const pipe = this.pipeline("block clause", "right");
    const saved = this.vars;
    this.vars = ["$"];
    const { list, end } = this.itemList();
    this.vars = saved;
    if (end.kind !== "end") this.error(end, `unexpected {{else}} in block clause`);
    this.defines.set(name, list);
    return { type: "template", name, pipe, line: at.line, col: at.col };
  }

  private pipeline(context: string, end: "right" | "rparen"): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = { type: "pipe", decl: [], isAssign: false, cmds: [], line: start.line, col: start.col };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.kind !== "variable") break;
      const save = this.i;
      this.next();
      const after = this.peekNonSpace();
      if (after.kind === "declare" || after.kind === "assign") {
        this.next();
        pipe.isAssign = after.kind === "assign";
        pipe.decl.push(v.text);
        this.vars.push(v.text);
        break;
      }
      if (after.kind === "comma") {
        this.next();
        pipe.decl.push(v.text);
        this.vars.push(v.text);
        if (context === "range" && pipe.decl.length < 2) {
          const n = this.peekNonSpace().kind;
          if (n === "variable" || n === "right" || n === "rparen") continue;
          this.error(v, "range can only initialize variables");
        }
        this.error(v, `too many declarations in ${context}`);
      }
      this.i = save;
      break;
    }
    for (;;) {
      const t = this.peekNonSpace();
      if (t.kind === end) {
        this.next();
        break;
      }
      switch (t.kind) {
        case "bool":
        case "char":
        case "dot":
        case "field":
        case "ident":
        case "number":
        case "nil":
        case "string":
        case "variable":
        case "lparen":
          pipe.cmds.push(this.command(end));
          break;
        default:
          this.unexpected(t, context);
      }
    }
    if (pipe.cmds.length === 0) this.error(start, `missing value for ${context}`);
    for (let k = 1; k < pipe.cmds.length; k++) {
      const first = pipe.cmds[k]!.args[0]!;
      if (["bool", "dot", "nil", "number", "string"].includes(first.type)) {
        this.error(first, `non executable command in pipeline stage ${k + 1}`);
      }
    }
    return pipe;
  }

  private command(end: "right" | "rparen"): CommandNode {
    const start = this.peekNonSpace();
    const cmd: CommandNode = { type: "command", args: [], src: "", line: start.line, col: start.col };
    let srcEnd = start.pos;
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) {
        cmd.args.push(operand);
        const last = this.tokens[this.i - 1]!;
        srcEnd = last.pos + last.text.length;
      }
      const t = this.peek();
      if (t.kind === "space") {
        this.next();
        const n = this.peek();
        if (n.kind === "pipe") {
          this.next();
          break;
        }
        if (n.kind === end || n.kind === "right" || n.kind === "rparen") break;
        continue;
      }
      if (t.kind === "right" || t.kind === "rparen") break;
      if (t.kind === "pipe") {
        this.next();
        break;
      }
      this.unexpected(t, "operand");
    }
    if (cmd.args.length === 0) this.error(start, "empty command");
    cmd.src = this.src.slice(start.pos, srcEnd);
    return cmd;
  }

  private operand(): ArgNode | undefined {
    const term = this.term();
    if (!term) return undefined;
    if (this.peek().kind !== "field") return term;
    const fields: string[] = [];
    while (this.peek().kind === "field") fields.push(this.next().text.slice(1));
    switch (term.type) {
      case "field":
        return { ...term, ident: [...term.ident, ...fields] };
      case "variable":
        return { ...term, ident: [...term.ident, ...fields] };
      case "bool":
        this.error(term, `unexpected . after term "${term.value}"`);
      case "string":
        this.error(term, `unexpected . after term ${JSON.stringify(term.quoted)}`);
      case "number":
        this.error(term, `unexpected . after term "${term.text}"`);
      case "nil":
        this.error(term, `unexpected . after term "nil"`);
      case "dot":
        this.error(term, `unexpected . after term "."`);
    }
    return { type: "chain", node: term, field: fields, line: term.line, col: term.col };
  }

  private term(): ArgNode | undefined {
    const t = this.next();
    const at = { line: t.line, col: t.col };
    switch (t.kind) {
      case "ident":
        if (isKeyword(t.text)) this.unexpected(t, "command");
        if (!this.funcs.has(t.text)) this.error(t, `function ${JSON.stringify(t.text)} not defined`);
        return { type: "identifier", name: t.text, ...at };
      case "dot":
        return { type: "dot", ...at };
      case "nil":
        return { type: "nil", ...at };
      case "variable": {
        const name = t.text;
        if (!this.vars.includes(name)) this.error(t, `undefined variable ${JSON.stringify(name)}`);
        return { type: "variable", ident: [name], ...at };
      }
      case "field":
        return { type: "field", ident: [t.text.slice(1)], ...at };
      case "bool":
        return { type: "bool", value: t.text === "true", ...at };
      case "number":
      case "char":
        return { type: "number", value: this.number(t), text: t.text, ...at };
      case "lparen":
        return this.pipeline("parenthesized pipeline", "rparen");
      case "string":
        return { type: "string", value: this.literal(t), quoted: t.text, ...at };
    }
    this.i--;
    return undefined;
  }

  private literal(t: Token): string {
    const s = unquote(t.text);
    if (s === undefined) this.error(t, `invalid syntax: ${t.text}`);
    return s;
  }

  private number(t: Token): number | GoFloat {
    if (t.kind === "char") {
      const s = unquote(t.text);
      if (s === undefined || [...s].length !== 1) this.error(t, `malformed character constant: ${t.text}`);
      return s.codePointAt(0)!;
    }
    if (t.text.endsWith("i")) this.error(t, `complex numbers are not supported: ${t.text}`);
    const n = parseNumber(t.text);
    if (n === undefined) this.error(t, `bad number syntax: ${JSON.stringify(t.text)}`);
    // Go types a constant by its spelling: float syntax makes a float64, even for 1.0 or 1e3.
    const hexInt = /^[+-]?0[xX]/.test(t.text) && !/[pP]/.test(t.text);
    if (!hexInt && /[.eEpP]/.test(t.text)) return new GoFloat(n);
    return n;
  }

}
