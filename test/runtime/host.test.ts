/** Host checks and how conmon is invoked. */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { renderError } from "../../src/cli/errors.ts";
import { StrataError } from "../../src/errors.ts";
import { conmonCreateArgs } from "../../src/runtime/create.ts";
import {
  conmonPath,
  defaultRuntime,
  ensureCgroups,
  ensureHostReady,
  runtimePath,
} from "../../src/runtime/index.ts";

test("crun is preferred, and conmon is found", () => {
  assert.equal(defaultRuntime(), "crun");
  assert.equal(runtimePath("crun"), "/usr/bin/crun");
  assert.match(runtimePath("runc"), /\/runc$/);
  assert.equal(conmonPath(), "/usr/bin/conmon");
  assert.equal(ensureHostReady(), "crun");
  assert.equal(ensureHostReady("runc"), "runc");
  assert.equal(ensureHostReady(), "crun", "asking for runc once does not change the default");
});

test("a missing runtime or monitor is one line that names the package to install", () => {
  const missing = (fn: () => unknown, message: string) => {
    let caught: unknown;
    try {
      fn();
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof StrataError, "throws a StrataError");
    assert.equal(caught.code, "RUNTIME_MISSING");
    assert.equal(renderError(caught).message, message);
  };
  missing(
    () => runtimePath("crun", ["/nonexistent/crun"]),
    "Error: the OCI runtime crun is not installed (apt-get install crun)",
  );
  missing(
    () => conmonPath(["/nonexistent/conmon"]),
    "Error: conmon, the container monitor, is not installed (apt-get install crun conmon)",
  );
});

test("the hybrid-cgroup fix leaves no controller on cgroup2 and is idempotent", () => {
  ensureCgroups();
  ensureCgroups();
  const unified = "/sys/fs/cgroup/unified/cgroup.controllers";
  if (existsSync(unified)) assert.equal(readFileSync(unified, "utf8").trim(), "");
});

test("conmon's arguments: API 1, k8s-file log, exit files in the container directory, cgroupfs", () => {
  const base = { id: "abc", bundleDir: "/b", containerDir: "/c" };
  const args = conmonCreateArgs({ ...base, tty: false, stdin: false }, "crun");
  const pairs = new Map<string, string>();
  for (let i = 0; i < args.length - 1; i++)
    if (args[i]?.startsWith("-")) pairs.set(args[i] as string, args[i + 1] as string);
  assert.equal(pairs.get("--api-version"), "1");
  assert.equal(pairs.get("-c"), "abc");
  assert.equal(pairs.get("-r"), "/usr/bin/crun");
  assert.equal(pairs.get("-b"), "/b");
  assert.equal(pairs.get("-p"), "/c/pidfile");
  assert.equal(pairs.get("-l"), "k8s-file:/c/container.log");
  assert.equal(pairs.get("--persist-dir"), "/c");
  assert.equal(pairs.get("--runtime-arg"), "--cgroup-manager=cgroupfs");
  assert.ok(args.includes("--full-attach"));
  assert.ok(!args.includes("-t") && !args.includes("-i"));
  // A terminal carries stdin itself; without one, -i, and stdin stays open across attaches unless stdinOnce.
  assert.ok(conmonCreateArgs({ ...base, tty: true, stdin: true }, "crun").includes("-t"));
  assert.ok(!conmonCreateArgs({ ...base, tty: true, stdin: true }, "crun").includes("-i"));
  assert.ok(conmonCreateArgs({ ...base, tty: false, stdin: true }, "crun").includes("--leave-stdin-open"));
  assert.ok(
    !conmonCreateArgs({ ...base, tty: false, stdin: true, stdinOnce: true }, "crun").includes(
      "--leave-stdin-open",
    ),
  );
  assert.ok(!conmonCreateArgs({ ...base, tty: false, stdin: false }, "runc").includes("--runtime-arg"));
  // The log is fsynced at the container's end unless it is thrown away with the container (--rm).
  assert.ok(!args.includes("--no-sync-log"));
  assert.ok(
    conmonCreateArgs({ ...base, tty: false, stdin: false, syncLog: false }, "crun").includes("--no-sync-log"),
  );
});
