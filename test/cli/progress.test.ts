import assert from "node:assert/strict";
import { test } from "node:test";
import type { Io } from "../../src/cli/io.ts";
import { PullRenderer } from "../../src/cli/progress.ts";
import { humanSize } from "../../src/format/index.ts";
import { progressBar } from "../../src/format/progress-bar.ts";

function io(isTTY: boolean, columns = 120): Io & { text: () => string } {
  let out = "";
  return {
    out: (t) => {
      out += t;
    },
    err: () => {},
    isTTY,
    columns,
    text: () => out,
  };
}

test("Docker's progress bar: 50 columns, shown only on terminals wider than 110", () => {
  // "[" + "="×p + ">" + " "×(50−p) + "] " then Go's %8v/%v of the sizes.
  assert.equal(progressBar(0, 100, 120, humanSize), `[>${" ".repeat(50)}] ${"0B".padStart(8)}/100B`);
  assert.equal(
    progressBar(50, 100, 120, humanSize),
    `[${"=".repeat(25)}>${" ".repeat(25)}] ${"50B".padStart(8)}/100B`,
  );
  assert.equal(progressBar(12_300_000, 45_600_000, 80, humanSize), "  12.3MB/45.6MB");
});

test("without a terminal: one line per state, nothing with byte counts", () => {
  const o = io(false);
  const r = new PullRenderer(o, humanSize);
  r.onEvent({ status: "resolved", id: "v1", repoPath: "servidorweb" });
  r.onEvent({ status: "layer", id: "aaaaaaaaaaaa", phase: "waiting" });
  r.onEvent({ status: "layer", id: "aaaaaaaaaaaa", phase: "downloading", current: 10, total: 20 });
  r.onEvent({ status: "layer", id: "aaaaaaaaaaaa", phase: "complete" });
  r.onEvent({ status: "digest", digest: "sha256:x" });
  r.onEvent({ status: "done", updated: false, reference: "x:v1" });
  assert.equal(
    o.text(),
    "v1: Pulling from servidorweb\naaaaaaaaaaaa: Pulling fs layer\naaaaaaaaaaaa: Pull complete\nDigest: sha256:x\nStatus: Image is up to date for x:v1\n",
  );
});

test("on a terminal: each layer keeps its line, redrawn in place with cursor movement", () => {
  const o = io(true);
  const r = new PullRenderer(o, humanSize);
  r.onEvent({ status: "layer", id: "aaaaaaaaaaaa", phase: "waiting" });
  r.onEvent({ status: "layer", id: "bbbbbbbbbbbb", phase: "waiting" });
  r.onEvent({ status: "layer", id: "aaaaaaaaaaaa", phase: "downloading", current: 100, total: 100 });
  assert.equal(
    o.text(),
    `aaaaaaaaaaaa: Pulling fs layer\nbbbbbbbbbbbb: Pulling fs layer\n\x1b[2A\x1b[2K\raaaaaaaaaaaa: Downloading [${"=".repeat(50)}>] ${"100B".padStart(8)}/100B\n\x1b[1B`,
  );
});

test("push on a terminal: Preparing lines redrawn as Pushing, Mounted from, Pushed; a tag starts a new block", async () => {
  const { PushRenderer } = await import("../../src/cli/push-progress.ts");
  const o = io(true);
  const r = new PushRenderer(o, humanSize);
  r.onEvent({ status: "repository", name: "127.0.0.1:5000/web" });
  r.onEvent({ status: "layer", id: "aaaaaaaaaaaa", phase: "preparing" });
  r.onEvent({ status: "layer", id: "bbbbbbbbbbbb", phase: "preparing" });
  r.onEvent({ status: "layer", id: "aaaaaaaaaaaa", phase: "mounted", from: "debian" });
  r.onEvent({ status: "layer", id: "bbbbbbbbbbbb", phase: "pushing", current: 100, total: 100 });
  r.onEvent({ status: "layer", id: "bbbbbbbbbbbb", phase: "pushed" });
  r.onEvent({ status: "tag", tag: "v1", digest: "sha256:x", size: 10 });
  r.onEvent({ status: "layer", id: "aaaaaaaaaaaa", phase: "exists" });
  assert.equal(
    o.text(),
    "The push refers to repository [127.0.0.1:5000/web]\n" +
      "aaaaaaaaaaaa: Preparing\nbbbbbbbbbbbb: Preparing\n" +
      "\x1b[2A\x1b[2K\raaaaaaaaaaaa: Mounted from debian\n\x1b[1B" +
      `\x1b[1A\x1b[2K\rbbbbbbbbbbbb: Pushing [${"=".repeat(50)}>] ${"100B".padStart(8)}/100B\n` +
      "\x1b[1A\x1b[2K\rbbbbbbbbbbbb: Pushed\n" +
      "v1: digest: sha256:x size: 10\n" +
      "aaaaaaaaaaaa: Layer already exists\n",
  );
});
