// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile variables are the subject here
/** The Dockerfile parser, instructions and stage plan, with BuildKit's results for each case. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseInstruction } from "../../src/build/instructions.ts";
import { parseDockerfile } from "../../src/build/parser.ts";
import { parseStages, plan } from "../../src/build/stages.ts";

test("directives, comments inside continuations, and the escape directive", () => {
  const r = parseDockerfile(
    "# syntax=docker/dockerfile:1\n# escape=`\nFROM x\nRUN echo a `\n# a comment\n  b\n",
  );
  assert.equal(r.directives.escape, "`");
  assert.equal(r.directives.syntax, "docker/dockerfile:1");
  assert.equal(r.nodes.length, 2);
  assert.deepEqual(r.nodes[1]?.args, ["echo a   b"]);
  assert.equal(r.nodes[1]?.startLine, 4);
  // Once an instruction is seen, `# escape=` is only a comment.
  const late = parseDockerfile("FROM x\n# escape=`\nRUN a \\\n b\n");
  assert.equal(late.directives.escape, "\\");
  assert.deepEqual(late.nodes[1]?.args, ["a  b"]);
});

test("JSON (exec) and shell forms; a malformed array is the shell form, as in Docker", () => {
  const r = parseDockerfile('FROM x\nCMD ["a", "b c"]\nCMD [a, b]\nENTRYPOINT echo hi\n');
  assert.deepEqual([r.nodes[1]?.json, r.nodes[1]?.args], [true, ["a", "b c"]]);
  assert.deepEqual([r.nodes[2]?.json, r.nodes[2]?.args], [false, ["[a, b]"]]);
  assert.deepEqual([r.nodes[3]?.json, r.nodes[3]?.args], [false, ["echo hi"]]);
});

test("an unknown instruction is Docker's parse error with its line", () => {
  assert.throws(() => parseDockerfile("FROM x\nFORM y\n"), {
    message: "dockerfile parse error line 2: unknown instruction: FORM",
  });
});

test("ENV and LABEL: the old one-pair form and name=value pairs with quotes kept for the lexer", () => {
  const r = parseDockerfile('FROM x\nENV A b c\nENV B="x y" C=z\nLABEL "k"=v\n');
  assert.deepEqual(r.nodes[1]?.args, ["A", "b c"]);
  assert.deepEqual(r.nodes[2]?.args, ["B", '"x y"', "C", "z"]);
  assert.deepEqual(r.nodes[3]?.args, ['"k"', "v"]);
  assert.throws(() => parseDockerfile("FROM x\nENV A=1 B\n"), /can't find = in "B"/);
});

test("heredocs: RUN and COPY read their bodies; <<- strips tabs; quoted names do not expand", () => {
  const r = parseDockerfile(
    'FROM x\nRUN <<EOF\necho a\necho b\nEOF\nCOPY <<-"FILE" /f\n\thello $X\n\tFILE\nRUN true\n',
  );
  assert.equal(r.nodes.length, 4);
  assert.deepEqual(r.nodes[1]?.heredocs, [
    { name: "EOF", content: "echo a\necho b\n", expand: true, chomp: false },
  ]);
  assert.deepEqual(r.nodes[2]?.heredocs, [
    { name: "FILE", content: "hello $X\n", expand: false, chomp: true },
  ]);
  assert.deepEqual(r.nodes[3]?.args, ["true"]);
});

test("typed instructions: flags, argument counts, healthcheck", () => {
  const [, copy, hc, from] = parseDockerfile(
    "FROM x\nCOPY --from=build --chown=1:2 --chmod=644 a b /d/\nHEALTHCHECK --interval=5s --retries=3 CMD curl -f x\nFROM y AS Later\n",
  ).nodes.map(parseInstruction);
  assert.deepEqual(copy && { ...copy, line: 0 }, {
    line: 0,
    text: "COPY --from=build --chown=1:2 --chmod=644 a b /d/",
    kind: "copy",
    sources: ["a", "b"],
    dest: "/d/",
    from: "build",
    chown: "1:2",
    chmod: "644",
    link: false,
    heredocs: [],
  });
  assert.equal(hc?.kind, "healthcheck");
  if (hc?.kind === "healthcheck") {
    assert.deepEqual(hc.test, ["CMD-SHELL", "curl -f x"]);
    assert.equal(hc.interval, 5e9);
    assert.equal(hc.retries, 3);
  }
  assert.equal(from?.kind === "from" && from.name, "later");
  const one = (t: string) => parseInstruction(parseDockerfile(`FROM x\n${t}\n`).nodes[1] as never);
  assert.throws(() => one("COPY a"), {
    message: "dockerfile parse error line 2: COPY requires at least two arguments",
  });
  assert.throws(() => one("COPY --bogus=1 a b"), {
    message: "dockerfile parse error line 2: Unknown flag: bogus",
  });
  assert.throws(() => one("WORKDIR"), /WORKDIR requires exactly one argument/);
  assert.throws(() => one("ONBUILD FROM x"), /FROM isn't allowed as an ONBUILD trigger/);
});

test("stages: meta args in FROM, --target, and unused stages skipped", () => {
  const df = parseStages(
    "ARG BASE=busybox\nFROM ${BASE} AS base\nRUN a\nFROM base AS unused\nRUN b\nFROM alpine AS tool\nFROM base\nCOPY --from=tool /x /x\n",
  );
  assert.deepEqual(df.metaArgs, [{ key: "BASE", value: "busybox" }]);
  const p = plan(df, { buildArgs: { BASE: "debian" } });
  assert.deepEqual(
    p.stages.map((s) => s.index),
    [0, 2, 3],
  );
  assert.equal(p.baseNames.get(0), "debian");
  const t = plan(df, { target: "unused" });
  assert.deepEqual(
    t.stages.map((s) => s.index),
    [0, 1],
  );
  assert.throws(() => plan(df, { target: "nope" }), /target stage nope could not be found/);
  assert.throws(() => parseStages("RUN x\n"), /no build stage in current context/);
  assert.throws(() => parseStages("# just a comment\n"), /the Dockerfile cannot be empty/);
});
