/** The command-line grammar: Docker's flag forms, where flags stop, and its usage errors. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type CommandSpec, parseCommand, UsageError } from "../../src/cli/args.ts";
import { GROUPS, TOP_LEVEL } from "../../src/cli/table.ts";

const spec = (name: string): CommandSpec => {
  const found = TOP_LEVEL.find((c) => c.name === name);
  assert.ok(found, name);
  return found;
};

test("run: grouped shorts, repeated -e, and flags stop at the image", () => {
  const p = parseCommand(
    spec("run"),
    ["-it", "--rm", "-e", "A=1", "-eB=2", "img", "sh", "-c", "ls -l"],
    "strata run",
  );
  assert.deepEqual(p.positionals, ["img", ["sh", "-c", "ls -l"]]);
  assert.equal(p.flags.interactive, true);
  assert.equal(p.flags.tty, true);
  assert.equal(p.flags.rm, true);
  assert.deepEqual(p.flags.env, ["A=1", "B=2"]);
  const after = parseCommand(spec("run"), ["--name", "x", "img", "--rm", "-d"], "strata run");
  assert.deepEqual(after.positionals, ["img", ["--rm", "-d"]]);
  assert.equal(after.flags.rm, undefined);
  assert.equal(after.flags.name, "x");
});

test("booleans take Docker's =false form; negated flags and defaults", () => {
  const h = parseCommand(spec("history"), ["-H=false", "--no-trunc", "img"], "strata history");
  assert.equal(h.flags.human, false);
  assert.equal(h.flags.trunc, false);
  const c = parseCommand(spec("commit"), ["--pause=false", "c"], "strata commit");
  assert.equal(c.flags.pause, false);
  assert.equal(parseCommand(spec("commit"), ["c"], "strata commit").flags.pause, true);
  assert.equal(parseCommand(spec("kill"), ["c"], "strata kill").flags.signal, "KILL");
  // stop's -t is unset unless given, so the container's --stop-timeout applies.
  assert.equal(parseCommand(spec("stop"), ["c"], "strata stop").flags.time, undefined);
  assert.deepEqual(parseCommand(spec("images"), [], "strata images").flags.filter, []);
});

test("a value flag takes a negative number as its value, as pflag does", () => {
  const r = parseCommand(
    spec("run"),
    ["--memory-swap", "-1", "--pids-limit", "-1", "img", "-1"],
    "strata run",
  );
  assert.equal(r.flags.memorySwap, "-1");
  assert.equal(r.flags.pidsLimit, "-1");
  assert.deepEqual(r.positionals, ["img", ["-1"]]);
});

test("usage errors read as Docker's, with its exit codes", () => {
  const fails = (name: string, args: string[], message: string, exitCode: number) =>
    assert.throws(
      () => parseCommand(spec(name), args, `strata ${name}`),
      (err: unknown) =>
        err instanceof UsageError && err.message === message && err.details.exitCode === exitCode,
    );
  fails("ps", ["--bogus"], "unknown flag: --bogus\nSee 'strata ps --help'.", 125);
  fails("ps", ["-z"], "unknown shorthand flag: 'z' in -z\nSee 'strata ps --help'.", 125);
  fails("run", ["--name"], "flag needs an argument: --name\nSee 'strata run --help'.", 125);
  fails("rm", [], `"strata rm" requires at least 1 argument.\nSee 'strata rm --help'.`, 1);
  fails("tag", ["a"], `"strata tag" requires exactly 2 arguments.\nSee 'strata tag --help'.`, 1);
  fails("ps", ["x"], `"strata ps" accepts no arguments.\nSee 'strata ps --help'.`, 1);
});

test("every command names a module export that exists", async () => {
  for (const c of [...TOP_LEVEL, ...GROUPS.flatMap((g) => g.commands)]) {
    const module = await c.load();
    assert.equal(typeof module[c.action ?? "run"], "function", `${c.name} → ${c.action ?? "run"}`);
  }
});
