/**
 * The real docker CLIs (28 and Debian's 20.10) against `strata system
 * service`: pull from a real registry, images, run (-d, --rm, exit codes),
 * ps, exec with stdin, logs -f, stop, rm, rmi's conflict, inspect, tag,
 * system df. Every flow is checked from strata's own CLI too, so a client
 * that reached some other daemon fails.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  type ApiService,
  type BusyboxService,
  DOCKER_20,
  docker,
  serviceRoot,
  startBusyboxService,
} from "../support/api.ts";
import { strata } from "../support/cli.ts";
import type { TestRegistry } from "../support/registry.ts";
import { tempDir } from "../support/tmp.ts";

const { root, cleanup } = serviceRoot();
let registry: TestRegistry;
let svc: ApiService;
let IMAGE: string;
let served: BusyboxService | undefined;

before(async () => {
  served = await startBusyboxService(root, cleanup);
  ({ registry, svc, image: IMAGE } = served);
});
after(async () => {
  await (served ? served.stop() : cleanup());
});

async function ok(args: string[], opts: { bin?: string; input?: string } = {}): Promise<string> {
  const r = await docker(svc, args, opts);
  assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function raw(
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: svc.socket, method, path, headers: { "Content-Type": "application/json" } },
      (res) => {
        let data = "";
        res.on("data", (d) => {
          data += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

test("both clients see strata's server and pull through it from a real registry", async () => {
  assert.equal(
    (await ok(["version", "--format", "{{.Server.Platform.Name}} {{.Server.APIVersion}}"])).trim(),
    "strata 1.44",
  );
  assert.equal(
    (await ok(["version", "--format", "{{.Server.APIVersion}}"], { bin: DOCKER_20 })).trim(),
    "1.44",
  );
  const pulled = await ok(["pull", IMAGE]);
  assert.match(pulled, /1: Pulling from bb\n/);
  assert.match(pulled, /Pull complete\n/);
  assert.match(pulled, /Digest: sha256:[0-9a-f]{64}\n/);
  assert.match(pulled, new RegExp(`Status: Downloaded newer image for ${IMAGE}\n${IMAGE}\n$`));
  const again = await ok(["pull", IMAGE], { bin: DOCKER_20 });
  assert.match(again, new RegExp(`Status: Image is up to date for ${IMAGE}\n`));
  // strata's own store has it: the clients reached strata.
  assert.match((await strata(root, ["images"])).stdout, new RegExp(`${registry.host}/bb +1 `));
  const images = await ok(["images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}"]);
  assert.match(images, new RegExp(`${IMAGE} 1.98MB`));
  assert.match(await ok(["images"], { bin: DOCKER_20 }), new RegExp(`${registry.host}/bb +1 `));
  const info = await ok(["info", "--format", "{{.Driver}} {{.CgroupDriver}} {{.Images}}"]);
  assert.equal(info.trim(), "overlay2 cgroupfs 1");
});

test("run --rm: output, exit codes, and the container is gone", async () => {
  const since = String(Math.floor(Date.now() / 1000) - 1);
  for (const bin of [undefined, DOCKER_20]) {
    const r = await docker(svc, ["run", "--rm", IMAGE, "sh", "-c", "echo out; echo err >&2; exit 3"], {
      bin,
    });
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, "out\n");
    assert.equal(r.stderr, "err\n");
    assert.equal(await ok(["ps", "-aq"], { bin }), "");
  }
  assert.equal((await strata(root, ["ps", "-aq"])).stdout, "");
  assert.equal(await ok(["run", "--rm", "-i", IMAGE, "cat"], { input: "piped in\n" }), "piped in\n");
  // The events the service recorded, read back by the CLI through /events. The CLI sends a
  // duration (`--until 0s`) as whole Unix seconds, which would cut off this second's events:
  // ask for the next second, which the service waits for.
  const until = String(Math.floor(Date.now() / 1000) + 1);
  const events = await ok([
    "events",
    "--since",
    since,
    "--until",
    until,
    "--filter",
    "type=container",
    "--format",
    "{{.Action}} {{.Actor.Attributes.exitCode}}",
  ]);
  assert.match(events, /^create <no value>\nstart <no value>\ndie 3\ndestroy <no value>\n/);
});

test("start -a waits for the new run's exit, not the one the service saw before", async () => {
  const script = "test -f /ran && exit 4; touch /ran; echo first; exit 3";
  const first = await docker(svc, ["run", "--name", "again", IMAGE, "sh", "-c", script]);
  assert.equal(first.code, 3, first.stderr);
  assert.equal(first.stdout, "first\n");
  const second = await docker(svc, ["start", "-a", "again"]);
  assert.equal(second.code, 4, second.stderr);
  assert.match((await strata(root, ["ps", "-a", "--filter", "name=again"])).stdout, /Exited \(4\)/);
  await ok(["rm", "again"]);
});

test("run -d, ps, exec, logs -f, inspect, stop, rm", async () => {
  const id = (await ok(["run", "-d", "--name", "web", IMAGE, "sh", "-c", "echo started; sleep 600"])).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.match((await strata(root, ["ps"])).stdout, / web\n/);
  assert.match(await ok(["ps"]), /"sh -c 'echo started…" +.* Up .* web\n/);
  assert.match(await ok(["ps"], { bin: DOCKER_20 }), / web\n/);
  assert.equal(await ok(["exec", "web", "sh", "-c", "echo $HOSTNAME"]), `${id.slice(0, 12)}\n`);
  assert.equal(await ok(["exec", "-i", "web", "cat"], { input: "via stdin\n" }), "via stdin\n");
  assert.equal(
    await ok(["exec", "-i", "web", "cat"], { input: "old client\n", bin: DOCKER_20 }),
    "old client\n",
  );
  const failed = await docker(svc, ["exec", "web", "sh", "-c", "exit 7"]);
  assert.equal(failed.code, 7);
  const missing = await docker(svc, ["exec", "web", "nonexistent"]);
  assert.match(missing.stdout + missing.stderr, /executable file not found in \$PATH/);
  assert.notEqual(missing.code, 0);
  assert.equal(await ok(["inspect", "-f", "{{.State.Status}} {{.Name}}", "web"]), "running /web\n");
  // cp both ways through /containers/{id}/archive (HEAD's stat header, then GET or PUT).
  const dir = tempDir();
  writeFileSync(join(dir, "in.txt"), "copied in\n");
  await ok(["cp", join(dir, "in.txt"), "web:/tmp/in.txt"]);
  assert.equal(await ok(["exec", "web", "cat", "/tmp/in.txt"]), "copied in\n");
  await ok(["exec", "web", "sh", "-c", "mkdir -p /out && echo copied out > /out/f"]);
  await ok(["cp", "web:/out", join(dir, "back")], { bin: DOCKER_20 });
  assert.equal(readFileSync(join(dir, "back", "f"), "utf8"), "copied out\n");
  const noPath = await docker(svc, ["cp", "web:/nope", dir]);
  assert.equal(noPath.code, 1);
  assert.match(
    noPath.stderr,
    /No such container:path: web:\/nope|Could not find the file \/nope in container web/,
  );
  await ok(["pause", "web"]);
  assert.match(await ok(["ps"]), /Up .* \(Paused\) .* web\n/);
  await ok(["unpause", "web"], { bin: DOCKER_20 });
  assert.equal(await ok(["logs", "--since", "1h", "web"]), "started\n");
  assert.equal(await ok(["logs", "--until", "2000-01-01T00:00:00Z", "web"]), "");
  const exported = await docker(svc, ["export", "-o", join(dir, "fs.tar"), "web"]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.ok(
    readFileSync(join(dir, "fs.tar")).includes("copied in\n"),
    "the export holds the container's files",
  );
  // logs -f follows until the container ends (stopped here by another client).
  const follow = docker(svc, ["logs", "-f", "web"]);
  await ok(["stop", "-t", "1", "web"], { bin: DOCKER_20 });
  const followed = await follow;
  assert.equal(followed.code, 0, followed.stderr);
  assert.equal(followed.stdout, "started\n");
  assert.match(await ok(["ps", "-a"]), /Exited \(137\) .* web\n/);
  assert.equal(await ok(["rm", "web"]), "web\n");
  assert.equal((await strata(root, ["ps", "-aq"])).stdout, "");
});

test("rmi's conflict text, tag, system df, rm of a running container", async () => {
  await ok(["tag", IMAGE, "local/other:2"]);
  assert.match((await strata(root, ["images"])).stdout, /local\/other +2 /);
  await ok(["run", "-d", "--name", "holder", "local/other:2", "sleep", "600"]);
  const rmi = await docker(svc, ["rmi", "local/other:2"]);
  assert.equal(rmi.code, 0, rmi.stderr);
  assert.equal(rmi.stdout, "Untagged: local/other:2\n");
  const conflict = await docker(svc, ["rmi", IMAGE]);
  assert.equal(conflict.code, 1);
  assert.match(
    conflict.stderr,
    new RegExp(
      `^Error response from daemon: conflict: unable to delete ${IMAGE.replace(/[.]/g, "\\.")} \\(cannot be forced\\) - image is being used by running container [0-9a-f]{12}\\n$|^Error response from daemon: conflict: unable to remove repository reference "${IMAGE.replace(/[.]/g, "\\.")}" \\(must force\\) - container [0-9a-f]{12} is using its referenced image [0-9a-f]{12}\\n$`,
    ),
  );
  const running = await docker(svc, ["rm", "holder"]);
  assert.equal(running.code, 1);
  assert.match(
    running.stderr,
    /You cannot remove a running container [0-9a-f]{64}\. Stop the container before attempting removal or force remove/,
  );
  const df = await ok(["system", "df"]);
  assert.match(df, /^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE\nImages +1 +1 +1\.98\dMB /);
  assert.match(df, /\nContainers +1 +1 /, "only the holder remains");
  assert.equal(await ok(["rm", "-f", "holder"]), "holder\n");
});

test("volumes: a bind mount, a named volume shared by two runs, volume ls and rm", async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "f"), "from the host\n");
  assert.equal(
    await ok(["run", "--rm", "-v", `${dir}:/data:ro`, IMAGE, "cat", "/data/f"]),
    "from the host\n",
  );
  assert.equal((await ok(["volume", "create", "shared"])).trim(), "shared");
  await ok([
    "run",
    "--rm",
    "--mount",
    "type=volume,source=shared,target=/v",
    IMAGE,
    "sh",
    "-c",
    "echo kept > /v/x",
  ]);
  assert.equal(
    await ok(["run", "--rm", "-v", "shared:/w", IMAGE, "cat", "/w/x"], { bin: DOCKER_20 }),
    "kept\n",
  );
  assert.match(await ok(["volume", "ls"]), /local +shared\n/);
  assert.match((await strata(root, ["volume", "ls"])).stdout, /local +shared\n/);
  assert.equal(await ok(["volume", "rm", "shared"]), "shared\n");
});

test("build from a tar context, push to the registry, auth", async () => {
  const ctxDir = tempDir();
  writeFileSync(join(ctxDir, "Dockerfile"), `FROM ${IMAGE}\nRUN echo built-here > /hi\nCMD ["cat", "/hi"]\n`);
  const built = await docker(svc, ["build", "-t", `${registry.host}/built:1`, ctxDir]);
  assert.equal(built.code, 0, built.stderr);
  assert.match(built.stdout, /RUN echo built-here > \/hi\n/);
  assert.match(built.stdout, new RegExp(`Successfully tagged ${registry.host}/built:1\n$`));
  assert.equal(await ok(["run", "--rm", `${registry.host}/built:1`]), "built-here\n");
  assert.match((await strata(root, ["images"])).stdout, new RegExp(`${registry.host}/built +1 `));
  const pushed = await ok(["push", `${registry.host}/built:1`]);
  assert.match(pushed, new RegExp(`^The push refers to repository \\[${registry.host}/built\\]\n`));
  const digest = /1: digest: (sha256:[0-9a-f]{64}) size: \d+\n/.exec(pushed)?.[1];
  assert.ok(digest, pushed);
  const res = await fetch(`${registry.url}/v2/built/manifests/1`, {
    method: "HEAD",
    headers: {
      Accept:
        "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json",
    },
  });
  assert.equal(res.headers.get("docker-content-digest"), digest);
  const login = await raw(
    "POST",
    "/auth",
    JSON.stringify({ username: "u", password: "p", serveraddress: registry.host }),
  );
  assert.equal(login.status, 200, login.body);
  assert.equal(JSON.parse(login.body).Status, "Login Succeeded");
});

test("bad requests: unknown endpoint, malformed JSON, versions, missing things", async () => {
  const unknown = await raw("GET", "/v1.44/nothing/here");
  assert.equal(unknown.status, 404);
  assert.deepEqual(JSON.parse(unknown.body), { message: "page not found" });
  const malformed = await raw("POST", "/containers/create", "{not json");
  assert.equal(malformed.status, 400);
  assert.match(JSON.parse(malformed.body).message, /invalid JSON/);
  const tooNew = await raw("GET", "/v1.99/version");
  assert.equal(tooNew.status, 400);
  assert.match(
    JSON.parse(tooNew.body).message,
    /client version 1\.99 is too new\. Maximum supported API version is 1\.44/,
  );
  const old = await raw("GET", "/v1.24/containers/json");
  assert.equal(old.status, 200);
  assert.equal(old.headers["api-version"], "1.44");
  const noContainer = await raw("GET", "/containers/nope/json");
  assert.equal(noContainer.status, 404);
  assert.deepEqual(JSON.parse(noContainer.body), { message: "No such container: nope" });
  const noImage = await raw("POST", "/containers/create", JSON.stringify({ Image: "missing/thing:1" }));
  assert.equal(noImage.status, 404);
  const head = await raw("HEAD", "/_ping");
  assert.equal(head.status, 200);
  assert.equal(head.body, "");
  assert.equal(head.headers.ostype, "linux");
  // A stopped container's stop is a 304, as Docker's.
  const created = JSON.parse(
    (await raw("POST", "/containers/create", JSON.stringify({ Image: IMAGE, Cmd: ["true"] }))).body,
  );
  assert.equal((await raw("POST", `/containers/${created.Id}/stop`)).status, 304);
  assert.equal((await raw("DELETE", `/containers/${created.Id}`)).status, 204);
});
