// The keys left for additional properties beside declared ones: a JSON string that is none of a
// list of names, as a trie of the names where every branch off the trie is "anything else".

import { SchemaGrammarError } from "./errors.js";
import { classChar, literal } from "./gbnf.js";

const MAX_NAME_LENGTH = 256;

/** A JSON string, quotes included, that is none of `names`; `char` is the rule for one string character. */
export function notStrings(names: string[], char: string): string {
  type Node = { children: Map<string, Node>; end: boolean };
  const trie: Node = { children: new Map(), end: false };
  for (const n of names) {
    // The trie's depth becomes nested parentheses, which llama.cpp parses recursively.
    if (n.length > MAX_NAME_LENGTH) throw new SchemaGrammarError(`a property name longer than ${MAX_NAME_LENGTH} characters beside additionalProperties is not supported`);
    let node = trie;
    for (const ch of n) {
      let next = node.children.get(ch);
      if (!next) node.children.set(ch, (next = { children: new Map(), end: false }));
      node = next;
    }
    node.end = true;
  }
  // At each trie node: a listed next character and what may follow it, or any other character
  // (written raw: no escape sequences, no control characters) and then anything.
  const out: string[] = [];
  const stack: (Node | string)[] = [trie];
  while (stack.length) {
    const item = stack.pop()!;
    if (typeof item === "string") {
      out.push(item);
      continue;
    }
    const parts: (Node | string)[] = [];
    let rejects = "";
    for (const [ch, child] of item.children) {
      rejects += classChar(ch.codePointAt(0)!);
      const lit = literal(JSON.stringify(ch).slice(1, -1));
      if (child.children.size) parts.push(`${lit} (`, child, child.end ? ") | " : ")? | ");
      else parts.push(`${lit} ${char}+ | `);
    }
    parts.push(`[^"\\\\\\x00-\\x1F${rejects}] ${char}*`);
    for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]!);
  }
  return `"\\"" (${out.join("")})${trie.end ? "" : "?"} "\\""`;
}
