/**
 * dockerode (npm) against `strata system service`: ping, pull with its
 * progress events, create/start/wait, demultiplexed logs, exec with stdin,
 * attach (whose JSON options body must never reach the container's stdin),
 * and a client killed mid-stream that leaves the service serving.
 */
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { after, before, test } from "node:test";
import Docker from "dockerode";
import { type ApiService, type BusyboxService, serviceRoot, startBusyboxService } from "../support/api.ts";
import { strata } from "../support/cli.ts";

const { root, cleanup } = serviceRoot();
let svc: ApiService;
let docker: Docker;
let IMAGE: string;
let served: BusyboxService | undefined;

before(async () => {
  served = await startBusyboxService(root, cleanup);
  ({ svc, image: IMAGE } = served);
  docker = new Docker({ socketPath: svc.socket });
});
after(async () => {
  await (served ? served.stop() : cleanup());
});

function collect(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = "";
    stream.on("data", (d) => {
      s += d;
    });
    stream.on("end", () => resolve(s));
    stream.on("error", reject);
  });
}

test("ping, version and pull with progress", async () => {
  assert.equal(String(await docker.ping()), "OK");
  const v = await docker.version();
  assert.equal(v.Platform?.Name, "strata");
  const stream = await docker.pull(IMAGE);
  const events: Array<{
    status?: string;
    id?: string;
    progressDetail?: { current?: number; total?: number };
  }> = [];
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (e: (typeof events)[number]) => events.push(e),
    ),
  );
  const statuses = events.map((e) => e.status);
  assert.equal(statuses[0], "Pulling from bb");
  assert.ok(statuses.includes("Pulling fs layer"));
  assert.ok(statuses.includes("Pull complete"));
  assert.ok(events.some((e) => e.status === "Downloading" && (e.progressDetail?.total ?? 0) > 0));
  assert.match(statuses.at(-2) ?? "", /^Digest: sha256:[0-9a-f]{64}$/);
  assert.equal(statuses.at(-1), `Status: Downloaded newer image for ${IMAGE}`);
  const images = await docker.listImages();
  assert.deepEqual(images[0]?.RepoTags, [IMAGE]);
});

test("create, start, wait, demultiplexed logs", async () => {
  const c = await docker.createContainer({
    Image: IMAGE,
    Cmd: ["sh", "-c", "echo to-out; echo to-err >&2; exit 5"],
    name: "dockerode-run",
    Labels: { "com.example": "yes" },
  });
  const waited = c.wait({ condition: "next-exit" });
  await c.start();
  assert.deepEqual(await waited, { StatusCode: 5 });
  const info = await c.inspect();
  assert.equal(info.State.ExitCode, 5);
  assert.equal(info.Config.Labels["com.example"], "yes");
  const logs = (await c.logs({
    stdout: true,
    stderr: true,
    follow: true,
  })) as unknown as NodeJS.ReadableStream;
  const out = new PassThrough();
  const err = new PassThrough();
  docker.modem.demuxStream(logs, out, err);
  const [o, e] = await Promise.all([
    collect(out),
    collect(err),
    new Promise((r) =>
      logs.on("end", () => {
        out.end();
        err.end();
        r(null);
      }),
    ),
  ]);
  assert.equal(o, "to-out\n");
  assert.equal(e, "to-err\n");
  const listed = await docker.listContainers({ all: true, filters: { label: ["com.example=yes"] } });
  assert.deepEqual(
    listed.map((x) => x.Names),
    [["/dockerode-run"]],
  );
  assert.match(listed[0]?.Status ?? "", /^Exited \(5\) /);
  await c.remove();
  assert.equal((await strata(root, ["ps", "-aq"])).stdout, "");
});

test("exec with stdin, its exit code, and attach without the options body in stdin", async () => {
  const c = await docker.createContainer({
    Image: IMAGE,
    Cmd: ["sh", "-c", "read line; echo got:$line; sleep 600"],
    OpenStdin: true,
    StdinOnce: true,
  });
  const attached = await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
  await c.start();
  const out = new PassThrough();
  docker.modem.demuxStream(attached, out, new PassThrough());
  attached.write("hello\n");
  let seen = "";
  await new Promise<void>((resolve) => {
    out.on("data", (d) => {
      seen += d;
      if (seen.includes("\n")) resolve();
    });
  });
  // Had the JSON options reached stdin, the container would have read them as its line.
  assert.equal(seen, "got:hello\n");
  (attached as unknown as { destroy(): void }).destroy();

  const exec = await c.exec({
    Cmd: ["sh", "-c", "cat; exit 4"],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: true });
  const execOut = new PassThrough();
  docker.modem.demuxStream(stream, execOut, new PassThrough());
  stream.write("through exec\n");
  stream.end();
  const text = await new Promise<string>((resolve) => {
    let s = "";
    execOut.on("data", (d) => {
      s += d;
    });
    stream.on("end", () => resolve(s));
    stream.on("close", () => resolve(s));
  });
  assert.equal(text, "through exec\n");
  let inspected = await exec.inspect();
  for (let i = 0; inspected.Running && i < 50; i++) inspected = await exec.inspect();
  assert.equal(inspected.ExitCode, 4);
  assert.equal(inspected.Running, false);

  // A client killed mid-stream: the service and the container go on.
  const follow = (await c.logs({ stdout: true, follow: true })) as unknown as NodeJS.ReadableStream & {
    destroy(): void;
  };
  follow.destroy();
  assert.equal(String(await docker.ping()), "OK");
  assert.equal((await c.inspect()).State.Running, true);
  await c.remove({ force: true });
});

test("ten clients running containers at once all succeed", async () => {
  const runs = Array.from({ length: 10 }, async (_, i) => {
    const c = await docker.createContainer({
      Image: IMAGE,
      Cmd: ["sh", "-c", `echo run-${i}; exit ${i}`],
      HostConfig: { AutoRemove: true },
    });
    const waited = c.wait({ condition: "removed" });
    await c.start();
    return (await waited).StatusCode;
  });
  assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal((await strata(root, ["ps", "-aq"])).stdout, "");
});
