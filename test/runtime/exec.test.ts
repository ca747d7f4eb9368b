/** exec through conmon's exec mode, in a running busybox container. */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { PassThrough } from "node:stream";
import { after, before, test } from "node:test";
import { isStrataError } from "../../src/errors.ts";
import {
  deleteContainer,
  execInContainer,
  killContainer,
  resolveUser,
  startContainer,
  waitExit,
} from "../../src/runtime/index.ts";
import { busyboxRootfs, makeContainer, Sink, type TestContainer } from "./helpers.ts";

let c: TestContainer;

before(async () => {
  c = await makeContainer({ args: ["sleep", "1000"], env: ["FROM_IMAGE=1"] });
  await startContainer(c.id);
});

after(async () => {
  await killContainer(c.id, "SIGKILL").catch(() => {});
  await waitExit(c.dir).catch(() => {});
  await deleteContainer(c.id, { force: true });
});

async function exec(
  args: string[],
  opts: Parameters<typeof execInContainer>[1] extends infer O ? Partial<O> : never = {},
) {
  const stdout = new Sink();
  const stderr = new Sink();
  const r = await execInContainer(c.id, { args, stdout, stderr, ...opts });
  return { ...r, stdout: stdout.text(), stderr: stderr.text() };
}

test("output and exit code of the exec'd process", async () => {
  const ok = await exec(["echo", "hi"]);
  assert.equal(ok.exitCode, 0);
  assert.equal(ok.stdout, "hi\n");
  const bad = await exec(["sh", "-c", "echo e >&2; exit 7"]);
  assert.deepEqual([bad.exitCode, bad.stdout, bad.stderr], [7, "", "e\n"]);
});

test("a missing command is Docker's exec error with 127", async () => {
  await assert.rejects(exec(["nope"]), (e) => {
    assert.ok(isStrataError(e, "RUNTIME_ERROR"));
    assert.equal(
      e.message,
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown',
    );
    assert.equal(e.details.exitCode, 127);
    return true;
  });
});

test("the container's environment plus -e, -w and -u", async () => {
  const r = await exec(["sh", "-c", "echo $FROM_IMAGE $FOO $HOSTNAME; pwd; id"], {
    env: ["FOO=bar"],
    cwd: "/tmp",
    user: resolveUser(busyboxRootfs(), "nobody"),
  });
  assert.equal(r.stdout, `1 bar ${c.hostname}\n/tmp\nuid=65534(nobody) gid=65534(nogroup)\n`);
});

test("-i: stdin reaches the process and its end ends it", async () => {
  const stdin = new PassThrough();
  stdin.end("line one\nline two\n");
  const r = await exec(["cat"], { stdin });
  assert.deepEqual([r.exitCode, r.stdout], [0, "line one\nline two\n"]);
});

test("-t: the process gets a terminal of its own, through conmon", async () => {
  const r = await exec(["sh", "-c", "tty; echo $TERM"], { tty: true });
  assert.equal(r.exitCode, 0);
  assert.match(r.stdout, /^\/dev\/pts\/\d+\r\nxterm\r\n$/);
});

test("-d: returns at once with the pid; the process carries on", async () => {
  const t0 = Date.now();
  const r = await execInContainer(c.id, { args: ["sleep", "2"], detach: true });
  assert.equal(r.exitCode, null);
  assert.ok(Date.now() - t0 < 2000);
  assert.ok(existsSync(`/proc/${r.pid}`));
});

test("exec needs a running container", async () => {
  await assert.rejects(execInContainer("strata-test-no-such", { args: ["true"] }), (e) =>
    isStrataError(e, "NOT_FOUND"),
  );
  const stopped = await makeContainer({ args: ["true"] });
  await assert.rejects(execInContainer(stopped.id, { args: ["true"] }), /is not running/);
  await deleteContainer(stopped.id, { force: true });
});
