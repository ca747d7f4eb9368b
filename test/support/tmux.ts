/** Driving a real terminal in tests: tmux sessions, typed keys, and waiting for text on the screen. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

/** Waits (up to 10 s) until `text` is on the session's screen; returns the screen. */
export async function screenShows(session: string, text: string): Promise<string> {
  let screen = "";
  for (let i = 0; i < 100; i++) {
    screen = execFileSync("tmux", ["capture-pane", "-t", session, "-p"], { encoding: "utf8" });
    if (screen.includes(text)) return screen;
    await sleep(100);
  }
  assert.fail(`"${text}" never appeared on the terminal:\n${screen}`);
}

/** Types keys into the session (tmux key names: "Enter", "C-p" …). */
export function keys(session: string, ...k: string[]): void {
  execFileSync("tmux", ["send-keys", "-t", session, ...k]);
}
