/** resolveProcess: Docker's merge of run options with the image config. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveProcess } from "../../src/runtime/index.ts";

const image = {
  Entrypoint: ["/entry.sh"],
  Cmd: ["serve", "--port", "80"],
  Env: ["A=1", "B=2"],
  User: "app",
  WorkingDir: "/srv",
};

test("the image's entrypoint and cmd when nothing is given", () => {
  const p = resolveProcess(image);
  assert.deepEqual(p.args, ["/entry.sh", "serve", "--port", "80"]);
  assert.equal(p.user, "app");
  assert.equal(p.cwd, "/srv");
});

test("arguments replace the image's Cmd and keep its Entrypoint", () => {
  assert.deepEqual(resolveProcess(image, { cmd: ["sh"] }).args, ["/entry.sh", "sh"]);
});

test("--entrypoint replaces the Entrypoint and drops the image's Cmd", () => {
  assert.deepEqual(resolveProcess(image, { entrypoint: ["/bin/sh"] }).args, ["/bin/sh"]);
  assert.deepEqual(resolveProcess(image, { entrypoint: ["/bin/sh"], cmd: ["-c", "x"] }).args, [
    "/bin/sh",
    "-c",
    "x",
  ]);
});

test('--entrypoint "" clears it: only the given arguments run, none is an error', () => {
  assert.deepEqual(resolveProcess(image, { entrypoint: [""], cmd: ["echo", "hi"] }).args, ["echo", "hi"]);
  assert.throws(() => resolveProcess(image, { entrypoint: [""] }), /No command specified/);
  assert.throws(() => resolveProcess({}), /No command specified/);
});

test("-e entries come first and override the image's; the image's others follow", () => {
  assert.deepEqual(resolveProcess(image, { env: ["B=3", "C=4"] }).env, ["B=3", "C=4", "A=1"]);
  assert.deepEqual(resolveProcess(image).env, ["A=1", "B=2"]);
});

test("-u and -w override; the working directory must be absolute and is cleaned", () => {
  const p = resolveProcess(image, { user: "0:0", workdir: "/a//b/../c/" });
  assert.equal(p.user, "0:0");
  assert.equal(p.cwd, "/a/c");
  assert.equal(resolveProcess({ Cmd: ["x"] }).cwd, "/");
  assert.throws(() => resolveProcess(image, { workdir: "rel" }), /needs to be an absolute path/);
});
