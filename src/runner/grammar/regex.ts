// A JSON Schema `pattern` (an ECMA-262 regex, unanchored unless it says ^...$) as a grammar over
// the JSON text of the string. The regex speaks of decoded characters, the grammar of what is
// written between the quotes: `"` and `\` are written escaped, control characters as their JSON
// escapes. Features a context-free grammar cannot express (lookaround, backreferences, word
// boundaries, Unicode property classes) are a SchemaGrammarError, never an "any string" fallback.

import { SchemaGrammarError } from "./errors.js";
import { MAX_REPEAT, charClass, literal, repeat } from "./gbnf.js";

type Range = [number, number];
type Node =
  | { k: "chars"; ranges: Range[]; negated: boolean }
  | { k: "seq"; items: Node[] }
  | { k: "alt"; options: Node[] }
  | { k: "rep"; node: Node; min: number; max: number | undefined }
  | { k: "start" }
  | { k: "end" };

const MAX_NESTING = 100;
const DIGIT: Range[] = [[0x30, 0x39]];
const WORD: Range[] = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
// \s as written in JSON text: a space plus the whitespace characters JSON escapes by name.
const SPACE: Range[] = [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]];
// Characters JSON never writes raw inside a string, and the line terminators `.` does not match.
const UNSAFE: Range[] = [[0x00, 0x1f], [0x22, 0x22], [0x5c, 0x5c]];
const DOT_EXCLUDED: Range[] = [...UNSAFE, [0x2028, 0x2029]];

class Parser {
  private i = 0;
  private depth = 0;

  constructor(private readonly src: string) {}

  private fail(what: string): never {
    throw new SchemaGrammarError(`pattern ${JSON.stringify(this.src)}: ${what}`);
  }

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.src.length) this.fail(`unbalanced ')' at ${this.i}`);
    return node;
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.peek() === "|") {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { k: "alt", options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== "|" && c !== ")"; c = this.peek()) {
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return { k: "seq", items };
  }

  private quantified(atom: Node): Node {
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number | undefined;
      if (c === "*") [min, max] = [0, undefined];
      else if (c === "+") [min, max] = [1, undefined];
      else if (c === "?") [min, max] = [0, 1];
      else if (c === "{" && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.i))) {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i))!;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === "" ? undefined : Number(m[3]);
        this.i += m[0].length - 1;
      } else return atom;
      this.i++;
      if (this.peek() === "?") this.i++; // lazy: same set of strings
      if (atom.k === "start" || atom.k === "end") this.fail("nothing to repeat");
      atom = { k: "rep", node: atom, min, max };
    }
  }

  private atom(): Node {
    const c = this.src[this.i++]!;
    switch (c) {
      case "^":
        return { k: "start" };
      case "$":
        return { k: "end" };
      case ".":
        return { k: "chars", ranges: DOT_EXCLUDED, negated: true };
      case "[":
        return this.charClass();
      case "(": {
        if (this.src.startsWith("?:", this.i)) this.i += 2;
        else if (this.src.startsWith("?<", this.i) && !/^\?<[=!]/.test(this.src.slice(this.i))) {
          const close = this.src.indexOf(">", this.i);
          if (close < 0) this.fail("unterminated group name");
          this.i = close + 1; // a named group matches what the plain group matches
        } else if (this.peek() === "?") this.fail("lookaround assertions are not supported");
        if (++this.depth > MAX_NESTING) this.fail(`groups nested deeper than ${MAX_NESTING}`);
        const inner = this.alternation();
        if (this.src[this.i++] !== ")") this.fail("missing ')'");
        this.depth--;
        return inner;
      }
      case ")":
        return this.fail("unbalanced ')'");
      case "*":
      case "+":
      case "?":
        return this.fail("nothing to repeat");
      case "\\":
        return this.escape(false) as Node;
      default: {
        const cp = this.src.codePointAt(this.i - 1)!;
        if (cp > 0xffff) this.i++;
        return { k: "chars", ranges: [[cp, cp]], negated: false };
      }
    }
  }

  /** After a backslash. In a class, returns ranges; outside, a node. */
  private escape(inClass: boolean): Node | Range[] {
    const c = this.src[this.i++];
    if (c === undefined) this.fail("trailing backslash");
    const set = (ranges: Range[], negated: boolean): Node | Range[] => {
      if (!inClass) return { k: "chars", ranges, negated };
      if (negated) this.fail(`\\${c} inside a character class is not supported`);
      return ranges;
    };
    const one = (cp: number): Node | Range[] => set([[cp, cp]], false);
    switch (c) {
      case "d":
        return set(DIGIT, false);
      case "D":
        return set(DIGIT, true);
      case "w":
        return set(WORD, false);
      case "W":
        return set(WORD, true);
      case "s":
        return set(SPACE, false);
      case "S":
        return set(SPACE, true);
      case "n":
        return one(0x0a);
      case "r":
        return one(0x0d);
      case "t":
        return one(0x09);
      case "f":
        return one(0x0c);
      case "v":
        return one(0x0b);
      case "0":
        return one(0);
      case "x":
      case "u": {
        const m = c === "x" ? /^[0-9a-fA-F]{2}/.exec(this.src.slice(this.i)) : /^(?:[0-9a-fA-F]{4}|\{[0-9a-fA-F]{1,6}\})/.exec(this.src.slice(this.i));
        if (!m) this.fail(`malformed \\${c} escape`);
        this.i += m[0].length;
        return one(parseInt(m[0].replace(/[{}]/g, ""), 16));
      }
      case "b":
        if (inClass) return one(0x08);
        return this.fail("word boundaries (\\b) are not supported");
      case "B":
        return this.fail("word boundaries (\\B) are not supported");
      case "p":
      case "P":
        return this.fail(`Unicode property classes (\\${c}) are not supported`);
      case "k":
        return this.fail("backreferences are not supported");
      default:
        if (/[1-9]/.test(c)) this.fail("backreferences are not supported");
        if (/[A-Za-z]/.test(c)) this.fail(`unknown escape \\${c}`);
        return one(this.src.codePointAt(this.i - 1)!);
    }
  }

  private charClass(): Node {
    const negated = this.peek() === "^";
    if (negated) this.i++;
    const ranges: Range[] = [];
    const single = (): Range[] => {
      const c = this.src[this.i++];
      if (c === undefined) this.fail("unterminated character class");
      if (c === "\\") return this.escape(true) as Range[];
      if (c === "[" && this.peek() === ":") this.fail("POSIX classes are not supported");
      const cp = this.src.codePointAt(this.i - 1)!;
      if (cp > 0xffff) this.i++;
      return [[cp, cp]];
    };
    while (this.peek() !== "]") {
      if (this.peek() === undefined) this.fail("unterminated character class");
      const lo = single();
      if (this.peek() === "-" && this.src[this.i + 1] !== "]" && this.src[this.i + 1] !== undefined && lo.length === 1 && lo[0]![0] === lo[0]![1]) {
        this.i++;
        const hi = single();
        if (hi.length !== 1 || hi[0]![0] !== hi[0]![1]) this.fail("a class escape cannot end a range");
        if (hi[0]![0] < lo[0]![0]) this.fail("range out of order in character class");
        ranges.push([lo[0]![0], hi[0]![0]]);
      } else ranges.push(...lo);
    }
    this.i++;
    return { k: "chars", ranges, negated };
  }
}

/** Sorted, merged ranges. */
function normalize(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function subtract(ranges: readonly Range[], cut: readonly Range[]): Range[] {
  let out = normalize(ranges);
  for (const [c0, c1] of cut) {
    const next: Range[] = [];
    for (const [a, b] of out) {
      if (b < c0 || a > c1) next.push([a, b]);
      else {
        if (a < c0) next.push([a, c0 - 1]);
        if (b > c1) next.push([c1 + 1, b]);
      }
    }
    out = next;
  }
  return out;
}

/** How JSON writes one code point inside a string. */
function jsonEscaped(cp: number): string {
  switch (cp) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return "\\\\";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    default:
      return cp < 0x20 ? "\\u" + cp.toString(16).padStart(4, "0") : String.fromCodePoint(cp);
  }
}

/** Rules made while translating; the caller stores them. */
export interface PatternRules {
  addRule(name: string, body: string): string;
}

class Emitter {
  private subRules = new Map<string, string>();

  constructor(
    private readonly rules: PatternRules,
    private readonly name: string,
  ) {}

  chars(node: Extract<Node, { k: "chars" }>): string {
    if (node.negated) {
      // Everything but the listed characters: written raw only; the escaped spellings of `"`, `\`
      // and control characters are left out, a narrower but valid set.
      return charClass(normalize([...node.ranges, ...UNSAFE]), true);
    }
    const safe = subtract(node.ranges, UNSAFE);
    const alts: string[] = [];
    if (safe.length) alts.push(safe.length === 1 && safe[0]![0] === safe[0]![1] ? literal(jsonEscaped(safe[0]![0])) : charClass(safe));
    for (const [a, b] of normalize(node.ranges)) {
      for (const [u0, u1] of UNSAFE) {
        for (let cp = Math.max(a, u0); cp <= Math.min(b, u1); cp++) alts.push(literal(jsonEscaped(cp)));
      }
    }
    if (alts.length === 0) throw new SchemaGrammarError("pattern has an empty character class");
    return alts.length === 1 ? alts[0]! : `(${alts.join(" | ")})`;
  }

  emit(node: Node): string {
    switch (node.k) {
      case "chars":
        return this.chars(node);
      case "seq": {
        const parts = node.items.map((n) => this.emit(n)).filter((s) => s !== "");
        return parts.length === 0 ? "" : parts.length === 1 ? parts[0]! : `(${parts.join(" ")})`;
      }
      case "alt": {
        const opts = node.options.map((n) => this.emit(n) || `""`);
        return `(${opts.join(" | ")})`;
      }
      case "rep": {
        let inner = this.emit(node.node);
        if (inner === "") return "";
        if (node.max !== undefined && node.max > MAX_REPEAT && node.min <= MAX_REPEAT) node = { ...node, max: MAX_REPEAT };
        // A repeated compound gets its own rule, so llama.cpp's expansion of {m,n} stays linear.
        if ((node.min > 1 || (node.max ?? 0) > 1) && !/^(\[[^\]]*\]|"[^"]*")$/.test(inner)) {
          let id = this.subRules.get(inner);
          if (!id) {
            id = this.rules.addRule(`${this.name}-${this.subRules.size + 1}`, inner);
            this.subRules.set(inner, id);
          }
          inner = id;
        }
        return repeat(inner, node.min, node.max);
      }
      case "start":
      case "end":
        throw new SchemaGrammarError("pattern anchors (^, $) are only supported at the start and end");
    }
  }
}

/**
 * The grammar for a JSON string (quotes included) whose content matches `pattern`. `charRule` is
 * the name of the rule for one JSON string character, used where the pattern is not anchored.
 */
export function patternToGrammar(pattern: string, name: string, rules: PatternRules, charRule: () => string): string {
  const tree = new Parser(pattern).parse();
  const branches = tree.k === "alt" ? tree.options : [tree];
  const emitter = new Emitter(rules, name);
  const alts = branches.map((branch) => {
    const items = branch.k === "seq" ? [...branch.items] : [branch];
    const anchoredStart = items[0]?.k === "start";
    if (anchoredStart) items.shift();
    const anchoredEnd = items[items.length - 1]?.k === "end";
    if (anchoredEnd) items.pop();
    const body = emitter.emit({ k: "seq", items });
    const parts = [anchoredStart ? "" : `${charRule()}*`, body, anchoredEnd ? "" : `${charRule()}*`].filter((s) => s !== "");
    return parts.length ? parts.join(" ") : `""`;
  });
  return `"\\"" ${alts.length === 1 ? alts[0] : `(${alts.join(" | ")})`} "\\""`;
}
