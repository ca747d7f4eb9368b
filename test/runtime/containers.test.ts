/**
 * Real containers: busybox under crun, created by conmon, with namespaces,
 * as root. Each test creates its own container; helpers.ts kills and
 * removes whatever is left.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { isStrataError } from "../../src/errors.ts";
import {
  containerFiles,
  createContainer,
  deleteContainer,
  killContainer,
  readExit,
  readRecord,
  startContainer,
  state,
  stopContainer,
  waitExit,
} from "../../src/runtime/index.ts";
import { collect, makeContainer, prepareBundle } from "./helpers.ts";

const run = promisify(execFile);

async function runToEnd(args: string[], network: "none" | "host" = "none") {
  const c = await makeContainer({ args, network });
  await startContainer(c.id);
  const exitCode = await waitExit(c.dir);
  const logs = await collect(c.dir, {});
  await deleteContainer(c.id);
  return { ...c, exitCode, ...logs };
}

test("echo hi: the output lands in the log and exit code 0 is recorded", async () => {
  const r = await runToEnd(["echo", "hi"]);
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdout, "hi\n");
  assert.match(readFileSync(containerFiles(r.dir).log, "utf8"), /^\S+ stdout F hi\n$/);
  assert.deepEqual(readExit(r.dir), { exitCode: 0, oomKilled: false });
});

test("a non-zero exit code and stderr are recorded", async () => {
  const r = await runToEnd(["sh", "-c", "echo bad >&2; exit 3"]);
  assert.equal(r.exitCode, 3);
  assert.equal(r.stderr, "bad\n");
});

test("the container outlives the process that created and started it", async () => {
  const c = prepareBundle({ args: ["sh", "-c", "sleep 1; echo late; exit 4"] });
  const child = await run(process.execPath, [
    "--import",
    "tsx",
    join(import.meta.dirname, "fixtures", "create-and-start.ts"),
    c.id,
    c.dir,
  ]);
  const created = JSON.parse(child.stdout) as { pid: number; conmonPid: number };
  // The creating process is gone; the container has not finished yet.
  assert.equal(readExit(c.dir), null);
  assert.equal((await state(c.id))?.status, "running");
  assert.ok(existsSync(`/proc/${created.conmonPid}`), "conmon still runs");
  assert.equal(await waitExit(c.dir), 4);
  assert.equal((await collect(c.dir, {})).stdout, "late\n");
  await deleteContainer(c.id);
});

test("state follows created → running → stopped", async () => {
  const c = await makeContainer({ args: ["sleep", "100"] });
  const created = await state(c.id);
  assert.equal(created?.status, "created");
  assert.equal(created?.pid, readRecord(c.dir).pid);
  await startContainer(c.id);
  assert.equal((await state(c.id))?.status, "running");
  await killContainer(c.id, "SIGKILL");
  assert.equal(await waitExit(c.dir), 137);
  assert.equal((await state(c.id))?.status, "stopped");
  await assert.rejects(killContainer(c.id, "SIGTERM"), (e) => isStrataError(e, "CONFLICT"));
  await deleteContainer(c.id);
  assert.equal(await state(c.id), null);
  await assert.rejects(startContainer(c.id), (e) => isStrataError(e, "NOT_FOUND"));
});

test("stop: sleep as pid 1 ignores SIGTERM, so SIGKILL follows the grace period (137)", async () => {
  const c = await makeContainer({ args: ["sleep", "100"] });
  await startContainer(c.id);
  const t0 = Date.now();
  assert.equal(await stopContainer(c.id, c.dir, { timeout: 1 }), 137);
  const took = Date.now() - t0;
  assert.ok(took >= 1000 && took < 5000, `took ${took} ms`);
  await deleteContainer(c.id);
});

test("stop: a process that handles SIGTERM ends with its own code, before the grace period", async () => {
  const c = await makeContainer({ args: ["sh", "-c", "trap 'exit 42' TERM; while :; do sleep 0.1; done"] });
  await startContainer(c.id);
  await new Promise((r) => setTimeout(r, 200)); // let the shell install its trap
  const t0 = Date.now();
  assert.equal(await stopContainer(c.id, c.dir, { timeout: 10 }), 42);
  assert.ok(Date.now() - t0 < 5000);
  await deleteContainer(c.id);
});

test("the hostname inside is the one given, and /etc/hosts is the bind-mounted file", async () => {
  const r = await runToEnd(["sh", "-c", "hostname; cat /etc/hostname; cat /etc/hosts"]);
  const hosts = readFileSync(join(r.dir, "userdata", "hosts"), "utf8");
  assert.equal(r.stdout, `${r.hostname}\n${r.hostname}\n${hosts}`);
});

test("--network none: only lo; --network host: the host's interfaces", async () => {
  assert.equal((await runToEnd(["ls", "/sys/class/net"])).stdout, "lo\n");
  // The host's own namespace, by its inode: other tests' veths come and go while this one runs.
  const host = await runToEnd(["readlink", "/proc/self/ns/net"], "host");
  assert.equal(host.stdout, `${readlinkSync("/proc/self/ns/net")}\n`);
});

test("Docker's defaults hold inside: capabilities, masked /proc files, read-only /proc/sys, root", async () => {
  const r = await runToEnd([
    "sh",
    "-c",
    "grep CapEff /proc/self/status; wc -c < /proc/interrupts; grep ' /proc/sys ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1; id -u",
  ]);
  // The 14 of Docker: chown dac_override fowner fsetid kill setgid setuid setpcap net_bind_service net_raw sys_chroot mknod audit_write setfcap.
  assert.equal(r.stdout, "CapEff:\t00000000a80425fb\n0\nro\n0\n");
});

test("a command that does not exist fails at create with Docker's message and 127", async () => {
  const c = prepareBundle({ args: ["nope"] });
  await assert.rejects(
    createContainer({ id: c.id, bundleDir: c.dir, containerDir: c.dir, tty: false, stdin: false }),
    (e) => {
      assert.ok(isStrataError(e, "RUNTIME_ERROR"));
      assert.equal(e.message, 'exec: "nope": executable file not found in $PATH');
      assert.equal(e.details.exitCode, 127);
      return true;
    },
  );
  assert.equal(await state(c.id), null, "nothing is left in the runtime");
  const notExec = prepareBundle({ args: ["/etc/passwd"] });
  await assert.rejects(
    createContainer({
      id: notExec.id,
      bundleDir: notExec.dir,
      containerDir: notExec.dir,
      tty: false,
      stdin: false,
    }),
    (e) => isStrataError(e, "RUNTIME_ERROR") && e.details.exitCode === 126,
  );
});

test("logs --follow streams output as it comes and ends when the container does", async () => {
  const c = await makeContainer({ args: ["sh", "-c", "echo a; sleep 0.5; echo b >&2; sleep 0.5; echo c"] });
  const following = collect(c.dir, { follow: true });
  await startContainer(c.id);
  assert.deepEqual(await following, { stdout: "a\nc\n", stderr: "b\n" });
  assert.equal(await waitExit(c.dir), 0);
  assert.equal((await collect(c.dir, { tail: 1 })).stdout, "c\n");
  await deleteContainer(c.id);
});

test("waitExit reports a monitor killed before it could record the exit", async () => {
  const c = await makeContainer({ args: ["sleep", "100"] });
  await startContainer(c.id);
  process.kill(readRecord(c.dir).conmonPid, "SIGKILL");
  await assert.rejects(waitExit(c.dir), /ended without recording an exit code/);
  await deleteContainer(c.id, { force: true });
});

test("runc works as well as crun", async () => {
  const c = prepareBundle({ args: ["sh", "-c", "echo via runc; exit 2"] });
  const created = await createContainer({
    id: c.id,
    bundleDir: c.dir,
    containerDir: c.dir,
    tty: false,
    stdin: false,
    runtime: "runc",
  });
  assert.equal(created.runtime, "runc");
  assert.equal((await state(c.id, { runtime: "runc" }))?.status, "created");
  assert.equal(await state(c.id), null, "crun does not know runc's containers");
  await startContainer(c.id, { runtime: "runc" });
  assert.equal(await waitExit(c.dir), 2);
  assert.equal((await collect(c.dir, {})).stdout, "via runc\n");
  await deleteContainer(c.id, { runtime: "runc" });
});

test("conmon runs the exit command once the exit code is recorded", async () => {
  const c = prepareBundle({ args: ["true"] });
  const marker = join(c.dir, "cleaned-up");
  await createContainer({
    id: c.id,
    bundleDir: c.dir,
    containerDir: c.dir,
    tty: false,
    stdin: false,
    // Written aside and renamed, so the test never sees it half written.
    exitCommand: [
      "/bin/sh",
      "-c",
      `cat ${join(c.dir, "exit")} > ${marker}.tmp && mv ${marker}.tmp ${marker}`,
    ],
  });
  await startContainer(c.id);
  assert.equal(await waitExit(c.dir), 0);
  for (let i = 0; i < 100 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(readFileSync(marker, "utf8"), "0");
  await deleteContainer(c.id);
});

test("a restart reuses the id: the log carries on, the exit code is the new run's", async () => {
  const c = prepareBundle({ args: ["sh", "-c", "echo run"] });
  const create = () =>
    createContainer({ id: c.id, bundleDir: c.dir, containerDir: c.dir, tty: false, stdin: false });
  await create();
  await startContainer(c.id);
  assert.equal(await waitExit(c.dir), 0);
  await create();
  assert.equal(readExit(c.dir), null, "the first run's exit code is gone");
  await assert.rejects(
    create(),
    (e) => isStrataError(e, "CONFLICT"),
    "a created container cannot be created again",
  );
  await startContainer(c.id);
  assert.equal(await waitExit(c.dir), 0);
  assert.equal((await collect(c.dir, {})).stdout, "run\nrun\n");
  await deleteContainer(c.id);
});
