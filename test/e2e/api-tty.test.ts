/**
 * The docker CLIs at a real terminal (tmux) through `strata system service`:
 * `run -it` gives the container a pty whose size follows the terminal's,
 * Ctrl-P Ctrl-Q detaches, `exec -it`, `attach` and `start -ai` re-enter it,
 * and each shell's exit status is the client's. strata's own CLI checks the
 * container's state, so a client that reached another daemon fails.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type ApiService, DOCKER_20, DOCKER_28, serviceRoot, startService } from "../support/api.ts";
import { strata } from "../support/cli.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";
import { keys, screenShows } from "../support/tmux.ts";

const { root, cleanup } = serviceRoot();
let svc: ApiService | undefined;
const session = `strata-api-tty-${process.pid}`;

before(async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "bb.tar"), busyboxBaseTar());
  assert.equal((await strata(root, ["import", join(dir, "bb.tar"), "local/bb:1"])).code, 0);
  svc = await startService(root);
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
});
after(async () => {
  spawnSync("tmux", ["kill-session", "-t", session]);
  await svc?.stop();
  await cleanup();
});

test("docker run -it, detach, exec -it, attach, start -ai: a pty through the API, exit codes kept", async () => {
  const env = `DOCKER_HOST=${svc?.host} DOCKER_CONFIG=${tempDir()}`;
  const docker = `${env} ${DOCKER_28}`;
  keys(session, `PS1='$ '; ${docker} run -it --name tty1 local/bb:1 sh; echo "EXIT=$?"`, "Enter");
  await screenShows(session, "/ #");
  keys(session, "tty; stty size", "Enter");
  await screenShows(session, "/dev/pts/");
  await screenShows(session, "30 120");
  // The terminal's new size reaches the container's pty (the CLI posts resize on SIGWINCH).
  execFileSync("tmux", ["resize-window", "-t", session, "-x", "100", "-y", "25"]);
  await sleep(300);
  keys(session, "clear; stty size", "Enter");
  await screenShows(session, "25 100");
  keys(session, "C-p");
  await sleep(200);
  keys(session, "C-q");
  await screenShows(session, "EXIT=0");
  assert.match((await strata(root, ["ps"])).stdout, /"sh" +.* Up .* tty1\n/);

  keys(session, "clear", "Enter");
  keys(session, `${docker} exec -it tty1 sh; echo "EXIT=$?"`, "Enter");
  await screenShows(session, "/ #");
  keys(session, "tty; exit 5", "Enter");
  await screenShows(session, "EXIT=5");

  keys(session, "clear", "Enter");
  keys(session, `${docker} attach tty1; echo "EXIT=$?"`, "Enter");
  await sleep(500);
  keys(session, "echo attached-again", "Enter");
  await screenShows(session, "attached-again");
  keys(session, "exit 130", "Enter");
  await screenShows(session, "EXIT=130");
  assert.match((await strata(root, ["ps", "-a"])).stdout, /"sh" +.* Exited \(130\) .* tty1\n/);

  keys(session, "clear", "Enter");
  keys(session, `${docker} start -ai tty1; echo "EXIT=$?"`, "Enter");
  await screenShows(session, "/ #");
  keys(session, "exit 7", "Enter");
  await screenShows(session, "EXIT=7");

  // Debian's 20.10 client, with --rm: the status comes back and nothing is left.
  keys(session, "clear", "Enter");
  keys(session, `${env} ${DOCKER_20} run -it --rm local/bb:1 sh; echo "EXIT=$?"`, "Enter");
  await screenShows(session, "/ #");
  keys(session, "exit 3", "Enter");
  await screenShows(session, "EXIT=3");
  assert.match((await strata(root, ["ps", "-a"])).stdout, /"sh" +.* Exited \(7\) .* tty1\n$/);
  assert.equal((await strata(root, ["ps", "-aq"])).stdout.trim().split("\n").length, 1);
});
