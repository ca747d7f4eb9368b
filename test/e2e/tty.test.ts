/**
 * `run -it` at a real terminal (tmux): the container gets a pty, what is typed
 * reaches its shell, and the shell's exit status is the command's.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CLI, strata } from "../support/cli.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";
import { keys, screenShows } from "../support/tmux.ts";

test("run -it gives the container a terminal; Ctrl-P Ctrl-Q detaches, attach re-attaches, exit ends it", async () => {
  const root = tempDir();
  const dir = tempDir();
  writeFileSync(join(dir, "bb.tar"), busyboxBaseTar());
  assert.equal((await strata(root, ["import", join(dir, "bb.tar"), "local/bb:1"])).code, 0);
  const session = `strata-tty-${process.pid}`;
  const s = `${process.execPath} ${CLI} --root ${root}`;
  execFileSync("tmux", [
    "new-session",
    "-d",
    "-s",
    session,
    "-x",
    "120",
    "-y",
    "30",
    "bash --norc --noprofile",
  ]);
  try {
    keys(session, `PS1='$ '; ${s} run -it --name contenedor1 local/bb:1 sh; echo "EXIT=$?"`, "Enter");
    await screenShows(session, "/ #");
    keys(session, "tty", "Enter");
    await screenShows(session, "/dev/pts/");
    // Docker's default detach keys, typed one at a time (Docker, too, only matches single-byte reads):
    // the CLI returns 0, the container keeps running.
    keys(session, "C-p");
    await sleep(200);
    keys(session, "C-q");
    await screenShows(session, "EXIT=0");
    const running = await strata(root, ["ps"]);
    assert.match(running.stdout, /"sh" +.* Up .* contenedor1\n/);

    // A second shell in the running container, with its own terminal.
    keys(session, "clear", "Enter");
    keys(session, `${s} exec -it contenedor1 sh; echo "EXIT=$?"`, "Enter");
    await screenShows(session, "/ #");
    keys(session, "tty; exit 5", "Enter");
    await screenShows(session, "EXIT=5");

    keys(session, "clear", "Enter");
    keys(session, `${s} attach contenedor1; echo "EXIT=$?"`, "Enter");
    await sleep(500);
    keys(session, "echo 00000000000000000 > file.txt; echo wrote", "Enter");
    await screenShows(session, "wrote");
    keys(session, "exit 130", "Enter");
    await screenShows(session, "EXIT=130");
    const stopped = await strata(root, ["ps", "-a", "-s"]);
    assert.match(stopped.stdout, /"sh" +.* Exited \(130\) .* contenedor1 +18B \(virtual/);

    // Started again, interactively: the same writable layer, the file still there.
    keys(session, "clear", "Enter");
    keys(session, `${s} start -ai contenedor1; echo "EXIT=$?"`, "Enter");
    await screenShows(session, "/ #");
    keys(session, "cat file.txt", "Enter");
    await screenShows(session, "00000000000000000");
    keys(session, "exit 7", "Enter");
    await screenShows(session, "EXIT=7");
  } finally {
    spawnSync("tmux", ["kill-session", "-t", session]);
  }
  const ps = await strata(root, ["ps", "-a", "-s"]);
  assert.match(ps.stdout, /"sh" +.* Exited \(7\) .* contenedor1 +\d+B \(virtual/);
  const diff = await strata(root, ["diff", "contenedor1"]);
  assert.equal(diff.stdout, "A /file.txt\n");
});
