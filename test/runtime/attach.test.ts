/** Attaching over conmon's SOCK_SEQPACKET socket: stdin in, stdout/stderr out, terminals, detach keys. */
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isStrataError } from "../../src/errors.ts";
import {
  attach,
  deleteContainer,
  resizeTerminal,
  startContainer,
  state,
  waitExit,
} from "../../src/runtime/index.ts";
import { collect, makeContainer, Sink, waitForText } from "./helpers.ts";

test("cat: what goes in on stdin comes back on stdout; end of input ends the container", async () => {
  const c = await makeContainer({ args: ["cat"], stdin: true, stdinOnce: true });
  const stdin = new PassThrough();
  const stdout = new Sink();
  const session = await attach(c.dir, { stdin, stdout, stderr: new Sink(), tty: false });
  // Input sent before the start waits in conmon; nothing is lost.
  stdin.write("before start\n");
  await startContainer(c.id);
  await waitForText(stdout, "before start\n");
  stdin.write("hello\n");
  await waitForText(stdout, "hello\n");
  const big = `${"0123456789".repeat(10_000)}\n`; // several packets each way
  stdin.write(big);
  stdin.end();
  assert.deepEqual(await session.done, { detached: false });
  assert.equal(stdout.text(), `before start\nhello\n${big}`);
  assert.equal(await waitExit(c.dir), 0);
  assert.equal((await collect(c.dir, { tail: 1 })).stdout, big);
  await deleteContainer(c.id);
});

test("stdout and stderr arrive on their own streams", async () => {
  const c = await makeContainer({ args: ["sh", "-c", "echo out; echo err >&2; echo out2"] });
  const stdout = new Sink();
  const stderr = new Sink();
  const session = await attach(c.dir, { stdout, stderr, tty: false });
  await startContainer(c.id);
  assert.deepEqual(await session.done, { detached: false });
  assert.equal(stdout.text(), "out\nout2\n");
  assert.equal(stderr.text(), "err\n");
  assert.equal(await waitExit(c.dir), 0);
  await assert.rejects(attach(c.dir, { stdout, tty: false }), (e) => isStrataError(e, "CONFLICT"));
  await deleteContainer(c.id);
});

test("a terminal: a shell with a pty, resized through conmon, left with Ctrl-P Ctrl-Q and attached again", async () => {
  const c = await makeContainer({ args: ["sh"], tty: true, stdin: true });
  let stdin = new PassThrough();
  let stdout = new Sink();
  let session = await attach(c.dir, { stdin, stdout, tty: true });
  await startContainer(c.id);
  await waitForText(stdout, "# ");
  stdin.write("tty; echo $((6*7))\n");
  await waitForText(stdout, /\/dev\/pts\/\d+\r\n42\r\n/);
  resizeTerminal(c.dir, { rows: 30, columns: 100 });
  stdin.write("/bin/busybox stty size\n");
  await waitForText(stdout, "30 100\r\n");
  // The detach keys, typed one at a time.
  stdin.write(Buffer.from([0x10]));
  await sleep(50);
  stdin.write(Buffer.from([0x11]));
  assert.deepEqual(await session.done, { detached: true });
  assert.equal((await state(c.id))?.status, "running", "detaching leaves it running");

  stdin = new PassThrough();
  stdout = new Sink();
  session = await attach(c.dir, { stdin, stdout, tty: true });
  stdin.write("echo again; exit 5\n");
  assert.deepEqual(await session.done, { detached: false });
  assert.match(stdout.text(), /again\r\n/);
  assert.equal(await waitExit(c.dir), 5);
  await deleteContainer(c.id);
});

test("detach() ends a session without touching the container", async () => {
  const c = await makeContainer({ args: ["sh", "-c", "sleep 0.5; echo done"] });
  const session = await attach(c.dir, { stdout: new Sink(), tty: false });
  await startContainer(c.id);
  session.detach();
  assert.deepEqual(await session.done, { detached: true });
  assert.equal(await waitExit(c.dir), 0);
  assert.equal((await collect(c.dir, {})).stdout, "done\n");
  await deleteContainer(c.id);
});
