/** BuildKit's plain progress lines, as Docker 20.10 prints them (reference outputs docker-42, -47). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { PlainProgress, TtyProgress } from "../../src/cli/build-progress.ts";

const D = `sha256:${"a".repeat(64)}`;

test("plain: header and digest, status lines, DONE with a blank line, CACHED, logs with their time", () => {
  let out = "";
  const p = new PlainProgress((s) => {
    out += s;
  });
  p.handle({
    type: "vertex",
    id: 1,
    digest: D,
    name: "[internal] load build definition from Dockerfile",
    state: "started",
  });
  p.handle({ type: "status", id: 1, text: "transferring dockerfile: 83B done" });
  p.handle({
    type: "vertex",
    id: 1,
    digest: D,
    name: "[internal] load build definition from Dockerfile",
    state: "done",
    seconds: 0.01,
  });
  p.handle({ type: "vertex", id: 4, digest: D, name: "[1/2] FROM x", state: "cached", seconds: 0 });
  p.handle({ type: "vertex", id: 5, digest: D, name: "[2/2] RUN echo hi && exit 3", state: "started" });
  p.handle({ type: "log", id: 5, seconds: 0.2345, data: "hi" });
  p.handle({
    type: "vertex",
    id: 5,
    digest: D,
    name: "[2/2] RUN echo hi && exit 3",
    state: "error",
    seconds: 0.3,
    error: "executor failed running [/bin/sh -c echo hi && exit 3]: exit code: 3",
  });
  p.finishError();
  assert.equal(
    out,
    [
      "#1 [internal] load build definition from Dockerfile",
      `#1 ${D}`,
      "#1 transferring dockerfile: 83B done",
      "#1 DONE 0.0s",
      "",
      "#4 [1/2] FROM x",
      `#4 ${D}`,
      "#4 CACHED",
      "",
      "#5 [2/2] RUN echo hi && exit 3",
      `#5 ${D}`,
      "#5 0.234 hi",
      "#5 ERROR: executor failed running [/bin/sh -c echo hi && exit 3]: exit code: 3",
      "------",
      " > [2/2] RUN echo hi && exit 3:",
      "#5 0.234 hi",
      "------",
      "",
    ].join("\n"),
  );
});

test("tty: one line per step redrawn in place, FINISHED at the end", () => {
  let out = "";
  const t = new TtyProgress((s) => {
    out += s;
  }, 60);
  t.handle({ type: "vertex", id: 1, digest: D, name: "[1/2] FROM x", state: "cached", seconds: 0 });
  t.handle({ type: "vertex", id: 2, digest: D, name: "[2/2] RUN make", state: "started" });
  t.handle({ type: "log", id: 2, seconds: 0.1, data: "compiling" });
  t.handle({ type: "vertex", id: 2, digest: D, name: "[2/2] RUN make", state: "done", seconds: 1.25 });
  t.finish();
  const lines = out.split("\n").map((l) => l.replace(/\x1b\[\d*[AK]/g, ""));
  assert.match(lines[0] as string, /^\[\+\] Building \d+\.\ds \(2\/2\) FINISHED$/);
  assert.match(lines[1] as string, /^ => CACHED \[1\/2\] FROM x +0\.0s$/);
  assert.match(lines[2] as string, /^ => \[2\/2\] RUN make +1\.3s$/);
  assert.equal((lines[1] as string).length, 60);
});
