/**
 * The service itself, as a library call on a real store: the socket's mode,
 * _ping's headers (HEAD without a body), Docker's errors for bad paths,
 * versions and bodies, the idle exit (a streaming request counts as
 * activity), and a live socket never taken over while a stale one is.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { test } from "node:test";
import { serve } from "../../src/api/server.ts";
import { Engine } from "../../src/engine.ts";
import { tempDir } from "../support/tmp.ts";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(socket: string, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    if (body !== undefined) req.setHeader("Content-Type", "application/json");
    req.end(body);
  });
}

function start(idleSeconds: number) {
  const dir = tempDir();
  return serve({
    engine: new Engine({ root: join(dir, "root") }),
    socket: join(dir, "docker.sock"),
    idleSeconds,
  });
}

test("socket mode 0660; _ping with Docker's headers, HEAD without a body", async () => {
  const svc = await start(0);
  try {
    assert.equal(statSync(svc.socket).mode & 0o777, 0o660);
    const get = await call(svc.socket, "GET", "/_ping");
    assert.equal(get.status, 200);
    assert.equal(get.body, "OK");
    assert.equal(get.headers["api-version"], "1.44");
    assert.equal(get.headers.ostype, "linux");
    assert.ok(get.headers["docker-experimental"] !== undefined);
    const head = await call(svc.socket, "HEAD", "/v1.41/_ping");
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
    assert.equal(head.headers["api-version"], "1.44");
  } finally {
    await svc.close();
  }
});

test("Docker's errors: unknown path 404, a version too old 400, malformed JSON 400, a huge body 413", async () => {
  const svc = await start(0);
  try {
    const missing = await call(svc.socket, "GET", "/v1.41/nothing/here");
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).message, "page not found");
    const old = await call(svc.socket, "GET", "/v1.11/version");
    assert.equal(old.status, 400);
    assert.match(
      JSON.parse(old.body).message,
      /^client version 1\.11 is too old\. Minimum supported API version is /,
    );
    const bad = await call(svc.socket, "POST", "/containers/create", "{not json");
    assert.equal(bad.status, 400);
    assert.ok(JSON.parse(bad.body).message);
    // A declared length over the limit is refused before the body is sent.
    const huge = await new Promise<number>((resolve, reject) => {
      const req = request({ socketPath: svc.socket, method: "POST", path: "/containers/create" }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.setHeader("Content-Type", "application/json");
      req.setHeader("Content-Length", String(4 << 20));
      req.on("error", reject);
      req.setTimeout(10_000, () => req.destroy(new Error("no answer")));
      req.flushHeaders();
    });
    assert.equal(huge, 413);
    // A chunked body that grows past the limit is refused too.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request({ socketPath: svc.socket, method: "POST", path: "/containers/create" }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.setTimeout(10_000, () => req.destroy(new Error("no answer")));
      req.write(`{"x":"${"a".repeat(1.5 * (1 << 20))}`);
    });
    assert.equal(chunked, 413);
  } finally {
    await svc.close();
  }
});

test("idle: the service exits after its time without requests, never while a stream is open", async () => {
  const svc = await start(1);
  const stopped = svc.done.then(() => Date.now());
  // A streaming /events request held for 2.5 s keeps the service up past its 1 s idle time.
  const t0 = Date.now();
  await new Promise<void>((resolve, reject) => {
    const req = request({ socketPath: svc.socket, path: "/events" }, (res) => {
      res.resume();
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 2500);
    });
    req.on("error", (err) =>
      (err as NodeJS.ErrnoException).code === "ECONNRESET" ? resolve() : reject(err),
    );
    req.end();
  });
  const streamEnded = Date.now();
  assert.ok(streamEnded - t0 >= 2400);
  const at = await stopped;
  assert.ok(at - streamEnded >= 900, `exited ${at - streamEnded} ms after the stream ended`);
  assert.throws(() => statSync(svc.socket), /ENOENT/, "the socket file is removed on exit");
});

test("a live service's socket is never taken over; a stale socket file is", async () => {
  const svc = await start(0);
  try {
    await assert.rejects(
      serve({ engine: new Engine({ root: join(tempDir(), "r") }), socket: svc.socket }),
      /another service is listening on/,
    );
    assert.equal((await call(svc.socket, "GET", "/_ping")).body, "OK", "the first one still serves");
  } finally {
    await svc.close();
  }
  // A socket file nobody listens on (a SIGKILLed service's) is replaced.
  const dir = tempDir();
  const stale = join(dir, "stale.sock");
  const listenThenDie = `require("net").createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, "SIGKILL"))`;
  spawnSync(process.execPath, ["-e", listenThenDie]);
  assert.ok(statSync(stale).isSocket(), "the killed listener left its socket file");
  const again = await serve({
    engine: new Engine({ root: join(dir, "root") }),
    socket: stale,
    idleSeconds: 0,
  });
  assert.equal((await call(again.socket, "GET", "/_ping")).body, "OK");
  await again.close();
});
