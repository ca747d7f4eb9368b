// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile variables are the subject here
/**
 * Cases from BuildKit's frontend/dockerfile/shell/envVarTest (the file its
 * lexer is tested against): input, then the expected word or an error.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ShellLex } from "../../src/build/shell-lex.ts";

const ENV = ["PWD=/home", "SHELL=bash", "NULL="];
const CASES: [string, string | null][] = [
  ["hello", "hello"],
  ["he'll'o", "hello"],
  ["he'llo", null],
  ["he\\'llo", "he'llo"],
  ["he\\\\'llo", null],
  ["abc\\tdef", "abctdef"],
  ['"abc\\tdef"', "abc\\tdef"],
  ['"abc\\\\tdef"', "abc\\tdef"],
  ["'abc\\tdef'", "abc\\tdef"],
  ["hello\\", "hello"],
  ["hello\\\\", "hello\\"],
  ['"hello', null],
  ['"hello\\"', null],
  ['"hel\'lo"', "hel'lo"],
  ["'hello", null],
  ["'hello\\'", "hello\\"],
  ["'hello\\there'", "hello\\there"],
  ["\"''\"", "''"],
  ["$.", "$."],
  ["he$1x", "hex"],
  ["he$.x", "he$.x"],
  ["he$pwd.", "he."],
  ["he$PWD", "he/home"],
  ["he\\$PWD", "he$PWD"],
  ["he\\\\$PWD", "he\\/home"],
  ['"he\\$PWD"', "he$PWD"],
  ['"he\\\\$PWD"', "he\\/home"],
  ["\\${}", "${}"],
  ["he\\${}xx", "he${}xx"],
  ["${}", null],
  ["he${}xx", null],
  ["he${hi}xx", "hexx"],
  ["he${PWD}", "he/home"],
  ["he${.}", null],
  ["he${XXX:-000}xx", "he000xx"],
  ["he${PWD:-000}xx", "he/homexx"],
  ["he${XXX:-$PWD}xx", "he/homexx"],
  ["he${XXX:-${PWD:-yyy}}xx", "he/homexx"],
  ["he${XXX:-${YYY:-yyy}}xx", "heyyyxx"],
  ["he${XXX:YYY}", null],
  ["he${XXX?}", null],
  ["he${XXX:?}", null],
  ["he${PWD?}", "he/home"],
  ["he${PWD:?}", "he/home"],
  ["he${NULL?}", "he"],
  ["he${NULL:?}", null],
  ["he${XXX:+${PWD}}xx", "hexx"],
  ["he${PWD:+${XXX}}xx", "hexx"],
  ["he${PWD:+${SHELL}}xx", "hebashxx"],
  ["he${XXX:+000}xx", "hexx"],
  ["he${PWD:+000}xx", "he000xx"],
  ["'he${XX}'", "he${XX}"],
  ['"he${PWD}"', "he/home"],
  ["\"he'$PWD'\"", "he'/home'"],
  ['"$PWD"', "/home"],
  ["'$PWD'", "$PWD"],
  ["'\\$PWD'", "\\$PWD"],
  ["'\"hello\"'", '"hello"'],
  ["he${PWD", null],
  ["he${PWD=000}xx", null],
  ["he${PWD+${PWD}:}xx", "he/home:xx"],
  ["he${XXX:-\\$PWD:}xx", "he$PWD:xx"],
  ["he${XXX:-\\${PWD}z}xx", "he${PWDz}xx"],
  ["안녕\\'하세요", "안녕'하세요"],
  ["안'녕'하세요", "안녕하세요"],
];

test("ProcessWord follows BuildKit's envVarTest cases", () => {
  const lex = new ShellLex();
  for (const [input, expected] of CASES) {
    if (expected === null) {
      assert.throws(() => lex.processWord(input, ENV), Error, `expected an error for ${input}`);
    } else {
      assert.equal(lex.processWord(input, ENV), expected, input);
    }
  }
});

test("ProcessWords splits on unquoted whitespace after substitution (EXPOSE)", () => {
  const lex = new ShellLex();
  assert.deepEqual(lex.processWords("80 $P", ["P=443/tcp 8080"]), ["80", "443/tcp", "8080"]);
  assert.deepEqual(lex.processWords('"a b" c', []), ["a b", "c"]);
});

test("a backtick escape token escapes as the backslash does", () => {
  const lex = new ShellLex("`");
  assert.equal(lex.processWord("C:\\dir`$X", ["X=1"]), "C:\\dir$X");
});

test("step names keep quotes and substitute (BuildKit's raw mode)", () => {
  const lex = new ShellLex();
  assert.equal(
    lex.processRaw('RUN mkdir -p $SITE && echo "$GREETING" > $SITE/greeting.txt', [
      "SITE=/var/www/html",
      "GREETING=hola",
    ]),
    'RUN mkdir -p /var/www/html && echo "hola" > /var/www/html/greeting.txt',
  );
});
