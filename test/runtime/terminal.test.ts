/**
 * attach at a real terminal (tmux): raw mode, the container's pty following
 * the terminal's size, and Ctrl-P Ctrl-Q typed as keys.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { deleteContainer, killContainer, state, waitExit } from "../../src/runtime/index.ts";
import { screenShows } from "../support/tmux.ts";
import { prepareBundle } from "./helpers.ts";

test("a shell at a real terminal: its size, raw keys, and detaching with Ctrl-P Ctrl-Q", async () => {
  const c = prepareBundle({ args: ["sh"], tty: true, stdin: true });
  const session = `strata-rt-tty-${process.pid}`;
  const script = join(import.meta.dirname, "fixtures", "attach-terminal.ts");
  const cmd = `cd ${process.cwd()} && ${process.execPath} --import tsx ${script} ${c.id} ${c.dir}; echo NODE-EXITED=$?; sleep 30`;
  execFileSync("tmux", ["new-session", "-d", "-s", session, "-x", "120", "-y", "30", cmd]);
  try {
    await screenShows(session, "/ #");
    execFileSync("tmux", ["send-keys", "-t", session, "/bin/busybox stty size", "Enter"]);
    await screenShows(session, "30 120");
    execFileSync("tmux", ["resize-window", "-t", session, "-x", "100", "-y", "25"]);
    await sleep(300);
    execFileSync("tmux", ["send-keys", "-t", session, "clear; /bin/busybox stty size", "Enter"]);
    await screenShows(session, "25 100");
    execFileSync("tmux", ["send-keys", "-t", session, "C-p"]);
    await sleep(100);
    execFileSync("tmux", ["send-keys", "-t", session, "C-q"]);
    await screenShows(session, "SESSION-ENDED detached=true");
    // Nothing of the session (stdin, the socket's poll, the resize listener) keeps the CLI alive.
    await screenShows(session, "NODE-EXITED=0");
    assert.equal((await state(c.id))?.status, "running");
  } finally {
    spawnSync("tmux", ["kill-session", "-t", session]);
  }
  await killContainer(c.id, "SIGKILL");
  assert.equal(await waitExit(c.dir), 137);
  await deleteContainer(c.id);
});
