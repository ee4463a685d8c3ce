import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { formatToGbnf, SchemaGrammarError } from "./index.js";
import { openGrammarLab, type GrammarLab } from "./testing.js";

let lab: GrammarLab;
before(async () => {
  lab = await openGrammarLab();
});
after(async () => {
  await lab.dispose();
});

const grammarOf = (pattern: string) => formatToGbnf({ type: "string", pattern });

/**
 * For each candidate: the grammar accepts its JSON spelling exactly when the regex matches it.
 * Candidates with `"`, `\` or control characters only need soundness (accepted ⇒ matches): where
 * a negated class or `.` meets them, the grammar leaves out their escaped spellings.
 */
async function agree(pattern: string, candidates: string[]): Promise<string[]> {
  const g = grammarOf(pattern);
  const re = new RegExp(pattern);
  const wrong: string[] = [];
  for (const c of candidates) {
    const accepted = await lab.accepts(g, JSON.stringify(c));
    const plain = !/["\\\x00-\x1f]/.test(c);
    if (accepted && !re.test(c)) wrong.push(`accepted ${JSON.stringify(c)}`);
    if (!accepted && re.test(c) && plain) wrong.push(`rejected ${JSON.stringify(c)}`);
  }
  return wrong;
}

describe("pattern → grammar", () => {
  const cases: [string, string[]][] = [
    ["^[a-z]+@[a-z]+\\.com$", ["bob@example.com", "bob@examplexcom", "@x.com", "Bob@x.com", "a@b.com", "a@b.co"]],
    ["^\\d{3}-\\d{4}$", ["555-1234", "55-1234", "5555-1234", "abc-defg", "555-12345"]],
    ["^(red|green|blue)$", ["red", "green", "blue", "redgreen", "", "Red"]],
    ["^a*b+c?$", ["b", "aab", "abbbc", "ac", "abcc", ""]],
    ["^[^0-9]{2,4}$", ["ab", "abcd", "a", "abcde", "a1", "xyz"]],
    ["^\\w+\\s\\w+$", ["hello world", "hello  world", "hello", "a b"]],
    ["^x{2}y{1,}z{0,2}$", ["xxy", "xxyyyzz", "xy", "xxyzzz"]],
    ["^(?:ab)+$", ["ab", "abab", "aba", ""]],
    ["^(?<year>\\d{4})-(?<m>\\d{2})$", ["2024-05", "24-05"]],
    ["^say \"hi\"$", ['say "hi"', "say hi"]],
    ["^a\\\\b$", ["a\\b", "ab"]],
    ["^[\"a]+$", ['a"a', "aa", "b"]],
    ["^.{3}$", ["abc", "ab", "a\nb", "abcd"]],
    ["^[A-Z][a-z]*$", ["Hello", "hello", "H"]],
    ["foo", ["foo", "xfooy", "fo", "barfoo"]],
    ["^foo", ["foo", "foobar", "xfoo"]],
    ["bar$", ["bar", "foobar", "barx"]],
    ["^a|b$", ["a", "ab", "xb", "ba", "c"]],
    ["^\\u00e9t\\u00e9$", ["été", "ete"]],
    ["^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}$", ["deadBEEF-0123", "deadbeef-012", "xeadbeef-0123"]],
    ["^\\+?[1-9]\\d{1,14}$", ["+14155552671", "14155552671", "+0123", "+1"]],
    ["^[\\-+]?\\d+(\\.\\d+)?$", ["-1.5", "+2", "3.", "abc"]],
  ];
  for (const [pattern, candidates] of cases) {
    it(`${pattern}`, async () => {
      assert.deepEqual(await agree(pattern, candidates), []);
    });
  }

  it("zod's email, uuid, ISO date, date-time, time and ipv4 patterns", async () => {
    const email = "^(?:[A-Za-z0-9_'+\\-]+\\.)*[A-Za-z0-9_'+\\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\\-]*\\.)+[A-Za-z]{2,}$";
    assert.deepEqual(await agree(email, ["a.b@example.com", "a@b.c", "@b.com", "a@b.com", "a..b@c.de", "ab@c-d.org"]), []);
    const uuid = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$";
    assert.deepEqual(await agree(uuid, ["123e4567-e89b-42d3-a456-426614174000", "123e4567-e89b-02d3-a456-426614174000", "00000000-0000-0000-0000-000000000000"]), []);
    const date =
      "^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))$";
    assert.deepEqual(await agree(date, ["2024-02-29", "2023-02-29", "2023-04-31", "2023-12-31", "2023-13-01"]), []);
    const ipv4 = "^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])$";
    assert.deepEqual(await agree(ipv4, ["192.168.0.1", "256.1.1.1", "1.2.3", "01.2.3.4"]), []);
  });

  it("refuses regex features a grammar cannot express, naming them", () => {
    const refused: [string, RegExp][] = [
      ["^(?!\\.)a+$", /lookaround/],
      ["^(?=a)a$", /lookaround/],
      ["^(a)\\1$", /backreferences/],
      ["^\\bword\\b$", /word boundaries/],
      ["^\\p{L}+$", /Unicode property/],
      ["^a(b$", /missing '\)'/],
      ["^ab)$", /unbalanced/],
      ["^[a-z$", /unterminated/],
      ["^*a$", /nothing to repeat/],
      ["^a$b$", /anchors/],
      ["^a{2000}$", /exceeds the grammar limit/],
    ];
    for (const [pattern, message] of refused) {
      assert.throws(() => grammarOf(pattern), (e: unknown) => e instanceof SchemaGrammarError && message.test(e.message), pattern);
    }
  });

  it("deeply nested groups are a clear error, not a stack overflow", () => {
    const deep = "^" + "(".repeat(10_000) + "a" + ")".repeat(10_000) + "$";
    assert.throws(() => grammarOf(deep), /nested deeper than/);
  });
});
