// The Go engine itself: template → data → output, with expectations taken from Go's text/template
// behavior (many straight from Go's exec_test.go).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BadRequestError } from "../util/errors.js";
import { TemplateError } from "./errors.js";
import { execute } from "./exec.js";
import { FUNC_NAMES } from "./funcs.js";
import { parse } from "./parser.js";
import { fromJson, GO_STRING, GoStruct } from "./values.js";

function run(text: string, data: unknown = {}): string {
  return execute(parse(text, FUNC_NAMES), data);
}

const data = {
  S: ["a", "b", "c"],
  N: [1, 2, 3, 4, 5],
  E: [],
  M: { b: 2, a: 1 },
  A: { B: "x" },
  Nil: null,
  Str: "",
  L: [new GoStruct("T", { Name: "n" })],
  Obj: new GoStruct("T", { Greet: (who: unknown) => `hi ${who}`, Name: "obj" }, undefined, true),
  F: (a: unknown, b: unknown) => (a as number) + (b as number),
  J: { z: [1, { y: "<&>" }], a: null },
};

const cases: [string, string, unknown, string][] = [
  ["text", "hello", data, "hello"],
  ["trim both sides", "a  \n{{- 1 -}}\t b", data, "a1b"],
  ["trimmed comment", "x {{- /* note */ -}} \n y", data, "xy"],
  ["plain comment", "a {{/* c */}} b", data, "a  b"],
  ["negative number is not a trim", "{{-3}}", data, "-3"],
  ["string escapes", `{{ "a\\tb\\u00e9" }}`, data, "a\tbé"],
  ["raw string", "{{ `x\\n` }}", data, "x\\n"],
  ["char constant", "{{ 'a' }}", data, "97"],
  ["hex, octal, float", "{{ 0x1F }} {{ 017 }} {{ 1.5 }} {{ 1_000 }}", data, "31 15 1.5 1000"],
  ["bool literal", "{{ true }}/{{ false }}", data, "true/false"],
  ["float literals are float64", "{{ 1.5 }} {{ 1e6 }} {{ 1.0 }} {{ 0x10 }} {{ 1e3 }} {{ 0.00001 }}", data, "1.5 1e+06 1 16 1000 1e-05"],
  ["float comparisons", "{{ eq 1.5 1.5 }} {{ lt 1.5 2.5 }} {{ if 0.0 }}y{{ else }}n{{ end }}", data, "true true n"],
  ["printf with floats", `{{ printf "%v|%.2f|%d|%g" 1e6 2.5 1.5 0.5 }}`, data, "1e+06|2.50|%!d(float64=1.5)|0.5"],
  ["JSON numbers are float64", "{{ .F64.n }} {{ .F64.k }} {{ json .F64 }}", { F64: fromJson({ n: 1500000, k: 5 }) }, '1.5e+06 5 {"k":5,"n":1500000}'],
  ["chained fields", "{{ .A.B }}", data, "x"],
  ["missing key prints no value", "{{ .Missing }}", data, "<no value>"],
  ["missing key is false", "{{ if .Missing }}y{{ else }}n{{ end }}", data, "n"],
  ["map printing sorted", "{{ .M }}", data, "map[a:1 b:2]"],
  ["slice printing", "{{ .S }} {{ .E }}", data, "[a b c] []"],
  ["nested print with nil", "{{ .J }}", data, "map[a:<nil> z:[1 map[y:<&>]]]"],
  ["struct printing", "{{ index .L 0 }}", data, "{n}"],
  ["pointer struct printing", "{{ .Obj.Name }}", data, "obj"],
  ["method call", `{{ .Obj.Greet "bob" }}`, data, "hi bob"],
  ["method in pipeline", `{{ "amy" | .Obj.Greet }}`, data, "hi amy"],
  ["stringer", "{{ . }}", { [GO_STRING]: () => "custom" }, "custom"],
  ["dollar is root", "{{ $ }}", "root", "root"],
  ["declare and assign", "{{ $x := 1 }}{{ $x }}{{ $x = 2 }}{{ $x }}", data, "12"],
  ["scoped variables", "{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}", data, "21"],
  ["assignment reaches outer scope", "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", data, "2"],
  ["if $x with $x", "{{if $x := true}}{{with $x := 17}}{{$x}},{{end}}{{$x}}{{end}}", data, "17,true"],
  ["range slice", "{{ range .S }}-{{ . }}-{{ end }}", data, "-a--b--c-"],
  ["range index and value", "{{ range $i, $v := .S }}{{ $i }}={{ $v }},{{ end }}", data, "0=a,1=b,2=c,"],
  ["range one variable is the element", "{{ range $v := .S }}<{{ $v }}>{{ end }}", data, "<a><b><c>"],
  ["range map sorted", "{{ range $k, $v := .M }}{{ $k }}:{{ $v }} {{ end }}", data, "a:1 b:2 "],
  ["range empty else", "{{ range .E }}x{{ else }}empty{{ end }}", data, "empty"],
  ["range nil is empty", "{{ range .Nil }}x{{ else }}none{{ end }}", data, "none"],
  [
    "break and continue",
    "{{ range .N }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}",
    data,
    "13",
  ],
  ["range over int", "{{ range 3 }}{{ . }}{{ end }}", data, "012"],
  ["root inside range", "{{ range .S }}{{ $.A.B }}{{ end }}", data, "xxx"],
  ["range variable assign", "{{ $last := \"\" }}{{ range .S }}{{ $last = . }}{{ end }}{{ $last }}", data, "c"],
  ["else if chain", "{{if eq 1 3}}1{{else if eq 2 3}}2{{else if eq 3 3}}3{{end}}", data, "3"],
  ["else with chain", "{{ with .Str }}a{{ else with .A.B }}b{{ . }}{{ else }}none{{ end }}", data, "bx"],
  ["with sets dot", "{{ with .A }}{{ .B }}{{ end }}", data, "x"],
  ["with zero", "{{with 0}}{{.}}{{else}}ZERO{{end}}", data, "ZERO"],
  ["with map", "{{with .M}}{{.}}{{else}}EMPTY{{end}}", data, "map[a:1 b:2]"],
  ["define and template", `{{ define "t" }}[{{ . }}]{{ end }}{{ template "t" "x" }}{{ template "t" 1 }}`, data, "[x][1]"],
  ["template without pipeline", `{{ define "t" }}{{ . }}{{ end }}{{ template "t" }}`, data, "<no value>"],
  ["block", `a({{block "inner" .}}bar({{.}})baz{{end}})b`, "hello", "a(bar(hello)baz)b"],
  ["parenthesized chain", "{{ (index .L 0).Name }}", data, "n"],
  ["parens in pipeline", "{{ printf `%d %d %d` (1) (len `abc`) (len (slice .S 1)) }}", data, "1 3 2"],
  ["pipeline final argument", `{{ "x" | printf "%s-%s" "y" }}`, data, "y-x"],
  ["pipeline into len", "{{ .S | len }}", data, "3"],
  ["and", "{{and false 0}} {{and 1 0}} {{and 0 true}} {{and 1 1}}", data, "false 0 0 1"],
  ["or", "{{or 0 0}} {{or 1 0}} {{or 0 true}} {{or 1 1}}", data, "0 1 true 1"],
  ["and short-circuits", "{{ and false (index .S 10) }}", data, "false"],
  ["or as default", `{{ or .E "empty" }}`, data, "empty"],
  ["not", "{{not true}} {{not false}} {{ not .E }}", data, "false true true"],
  ["len counts bytes", `{{ len "héllo" }} {{ len .M }} {{ len .S }}`, data, "6 2 3"],
  ["index map and slice", `{{ index .M "a" }} {{ index .S 1 }} {{ index .J "z" 1 "y" }}`, data, "1 b <&>"],
  ["index missing map key", `{{ index .M "zz" }}`, data, "<no value>"],
  ["slice", `{{ slice "abcdef" 1 3 }} {{ slice .S 1 }} {{ slice .S }}`, data, "bc [b c] [a b c]"],
  ["eq several", "{{ eq 3 4 5 6 3 }} {{ eq 3 4 5 }}", data, "true false"],
  ["eq strings and nil", `{{ eq "a" "a" }} {{ eq .Missing "x" }}`, data, "true false"],
  ["comparisons", `{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1 2 }} {{ ne 1 2 }}`, data, "true true true false true"],
  ["print", `{{print 1 2 3}}|{{ print "a" 1 2 "b" }}|{{print nil}}`, data, "1 2 3|a1 2b|<nil>"],
  ["println", "{{println 1 2 3}}", data, "1 2 3\n"],
  ["printf hex pad", `{{printf "%04x" 127}}`, data, "007f"],
  ["printf float", `{{printf "%g" 3.5}} {{ printf "%5.2f|%-4d|%+d" 3.14159 7 3 }}`, data, "3.5  3.14|7   |+3"],
  ["printf quote", `{{ printf "%q" "hi\\n" }}`, data, `"hi\\n"`],
  ["printf v t s", `{{ printf "%t %v %s %v" true .S "x" .M }}`, data, "true [a b c] x map[a:1 b:2]"],
  ["printf exponent", `{{ printf "%.2e" 1234.5 }}`, data, "1.23e+03"],
  ["printf bad verb", `{{ printf "%d" "x" }}`, data, "%!d(string=x)"],
  ["printf missing", `{{ printf "%d %d" 1 }}`, data, "1 %!d(MISSING)"],
  ["printf extra", `{{ printf "%d" 1 2 }}`, data, "1%!(EXTRA int=2)"],
  ["printf percent", `{{ printf "100%%" }}`, data, "100%"],
  ["printf final arg", `{{ "aaa" | printf }}`, data, "aaa"],
  ["html", `{{html "<script>alert(\\"XSS\\");</script>"}}`, data, "&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;"],
  ["js", `{{js "It'd be nice."}}`, data, "It\\'d be nice."],
  ["urlquery", `{{"http://www.example.org/"|urlquery}}`, data, "http%3A%2F%2Fwww.example.org%2F"],
  ["call", "{{ call .F 2 3 }}", data, "5"],
  ["json", "{{ json .M }} {{ json .J }}", data, `{"a":1,"b":2} {"a":null,"z":[1,{"y":"\\u003c\\u0026\\u003e"}]}`],
  ["json string", `{{ json "a\\"b" }}`, data, `"a\\"b"`],
  ["toTypeScriptType of a non-property", "{{ toTypeScriptType .S }}", data, "any"],
];

describe("Go template engine", () => {
  for (const [name, text, input, want] of cases) {
    it(name, () => assert.equal(run(text, input), want));
  }

  it("currentDate and yesterdayDate are local YYYY-MM-DD dates", () => {
    const [today, yesterday] = run("{{ currentDate }} {{ yesterdayDate \"%Y\" }}").split(" ");
    assert.match(today!, /^\d{4}-\d{2}-\d{2}$/);
    assert.match(yesterday!, /^\d{4}-\d{2}-\d{2}$/);
    const diff = Date.parse(today!) - Date.parse(yesterday!);
    assert.equal(diff, 86_400_000);
  });
});

const parseErrors: [string, string, RegExp][] = [
  ["unclosed action", "ab\n{{ .A ", /^template: :2:\d+: unclosed action/],
  ["unexpected EOF", "{{ if .X }}x", /^template: :1:\d+: unexpected EOF/],
  ["undefined function", "{{ nope 1 }}", /^template: :1:4: function "nope" not defined/],
  ["undefined variable", "x\n  {{ $x }}", /^template: :2:6: undefined variable "\$x"/],
  ["break outside range", "{{ break }}", /\{\{break\}\} outside \{\{range\}\}/],
  ["stray end", "{{ end }}", /unexpected \{\{end\}\}/],
  ["missing value", "{{ if }}{{ end }}", /missing value for if/],
  ["no dynamic scope in define", `{{ $x := 1 }}{{ define "t" }}{{ $x }}{{ end }}`, /undefined variable "\$x"/],
  ["unterminated string", `{{ "abc }}`, /unterminated quoted string/],
  ["unclosed comment", "{{/* x }}", /unclosed comment/],
  ["bad pipeline stage", "{{ .A | 3 }}", /non executable command in pipeline stage 2/],
];

const execErrors: [string, string, unknown, RegExp][] = [
  ["index out of range", "{{ index .S 5 }}", data, /error calling index: index out of range: 5/],
  ["incompatible eq", `{{ eq "a" 1 }}`, data, /error calling eq: incompatible types for comparison/],
  ["int and float do not compare", "{{ eq 2 2.0 }}", data, /error calling eq: incompatible types for comparison/],
  ["floats do not index", "{{ index .S 1.0 }}", data, /cannot index slice\/array with type float64/],
  ["nil pointer field", "{{ .Nil.X }}", data, /nil pointer evaluating interface \{\}\.X/],
  ["missing key chain", "{{ .Missing.Deeper }}", data, /nil pointer evaluating interface \{\}\.Deeper/],
  ["missing struct field", "{{ (index .L 0).Nope }}", data, /can't evaluate field Nope in type T/],
  ["argument to non-function", "{{ 3 2 }}", data, /can't give argument to non-function 3/],
  ["nil command", "{{ if nil }}x{{ end }}", data, /nil is not a command/],
  ["undefined template", `{{ template "nope" }}`, data, /template "nope" not defined/],
  ["wrong arity", "{{ not 1 2 }}", data, /wrong number of args for not: want 1 got 2/],
  ["len of int", "{{ len 3 }}", data, /error calling len: len of type int/],
  ["printf needs a string format", "{{ 1 | printf }}", data, /wrong type for value; expected string; got int/],
  ["range over string", `{{ range "ab" }}{{ end }}`, data, /range can't iterate over ab/],
];

describe("Go template errors", () => {
  for (const [name, text, re] of parseErrors) {
    it(`parse: ${name}`, () => {
      assert.throws(
        () => parse(text, FUNC_NAMES),
        (e: unknown) => e instanceof TemplateError && e instanceof BadRequestError && re.test(e.detail) && e.message === `template error: ${e.detail}`,
      );
    });
  }
  for (const [name, text, input, re] of execErrors) {
    it(`exec: ${name}`, () => {
      assert.throws(() => run(text, input), (e: unknown) => e instanceof TemplateError && re.test(e.message));
    });
  }
  it("exec errors name the position and the command", () => {
    assert.throws(
      () => run("ab\n  {{ index .S 7 }}", data),
      (e: unknown) => e instanceof TemplateError && e.detail.startsWith('template: :2:6: executing "" at <index .S 7>: '),
    );
  });
});
