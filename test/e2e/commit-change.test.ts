/**
 * `commit --change` (and -a, -m) against a real container: Docker's accepted
 * Dockerfile instructions land in the new image's config, its refusals leave
 * no image behind; the docker CLI's `commit --change` reaches it through the API.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type ApiService, docker, serviceRoot, startService } from "../support/api.ts";
import { strata } from "../support/cli.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";

const { root, cleanup } = serviceRoot();
const IMAGE = "local/bb:commit";
let svc: ApiService | undefined;

async function ok(args: string[]): Promise<string> {
  const r = await strata(root, args);
  assert.equal(r.code, 0, `strata ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const config = async (ref: string) =>
  JSON.parse(await ok(["image", "inspect", "-f", "{{json .Config}}", ref])) as Record<string, unknown>;

before(async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "bb.tar"), busyboxBaseTar());
  await ok(["import", join(dir, "bb.tar"), IMAGE]);
  await ok(["run", "--name", "base", "-e", "FOO=bar", "-w", "/srv", IMAGE, "sh", "-c", "echo hi > /srv/hi"]);
  svc = await startService(root);
});

after(async () => {
  await svc?.stop();
  await cleanup();
});

test("commit --change: CMD, ENV (substituted), EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL, ONBUILD, HEALTHCHECK", async () => {
  const changes = [
    "ENV A=1 B=$FOO",
    'CMD ["cat", "/srv/hi"]',
    "EXPOSE 80 443/udp",
    'LABEL tier=web "two words"=yes',
    "USER nobody",
    "VOLUME /data",
    "WORKDIR sub",
    "STOPSIGNAL SIGINT",
    "ONBUILD RUN true",
    "HEALTHCHECK --interval=5s CMD true",
  ];
  const id = (
    await ok([
      "commit",
      ...changes.flatMap((c) => ["-c", c]),
      "-a",
      "Ann <ann@x>",
      "-m",
      "tuned",
      "base",
      "local/tuned:1",
    ])
  ).trim();
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  const c = await config("local/tuned:1");
  const env = c.Env as string[];
  assert.deepEqual(
    env.filter((e) => /^(FOO|A|B)=/.test(e)),
    ["FOO=bar", "A=1", "B=bar"],
    "ENV appends, substituting from the container's env",
  );
  assert.deepEqual(c.Cmd, ["cat", "/srv/hi"]);
  assert.deepEqual(c.ExposedPorts, { "80/tcp": {}, "443/udp": {} });
  assert.deepEqual(c.Labels, { tier: "web", "two words": "yes" });
  assert.equal(c.User, "nobody");
  assert.deepEqual(c.Volumes, { "/data": {} });
  assert.equal(c.WorkingDir, "/srv/sub", "WORKDIR relative to the container's");
  assert.equal(c.StopSignal, "SIGINT");
  assert.deepEqual(c.OnBuild, ["RUN true"]);
  assert.deepEqual(c.Healthcheck, { Test: ["CMD-SHELL", "true"], Interval: 5_000_000_000 });
  assert.equal(c.ArgsEscaped, undefined, "moby's commit does not mark ArgsEscaped on Linux");
  assert.equal(
    await ok(["image", "inspect", "-f", "{{.Author}}|{{.Comment}}", "local/tuned:1"]),
    "Ann <ann@x>|tuned\n",
  );
  // The committed CMD runs (USER nobody can read the file root wrote with 0644).
  assert.equal(await ok(["run", "--rm", "local/tuned:1"]), "hi\n");
});

test("commit --change ENTRYPOINT clears the container's CMD unless the changes set one; shell forms get the shell", async () => {
  await ok(["commit", "-c", 'ENTRYPOINT ["/bin/echo"]', "base", "local/ep:1"]);
  const ep = await config("local/ep:1");
  assert.deepEqual([ep.Entrypoint, ep.Cmd], [["/bin/echo"], null]);
  await ok(["commit", "-c", "CMD x y", "-c", 'ENTRYPOINT ["/bin/echo"]', "base", "local/ep:2"]);
  const both = await config("local/ep:2");
  assert.deepEqual([both.Entrypoint, both.Cmd], [["/bin/echo"], ["/bin/sh", "-c", "x y"]]);
  assert.equal(await ok(["run", "--rm", "local/ep:2"]), "/bin/sh -c x y\n");
});

test("commit --change refusals: Docker's words, exit 1, no image made", async () => {
  const before = await ok(["images", "-a", "-q", "--no-trunc"]);
  const cases: Array<[string, string]> = [
    ["RUN true", "Error response from daemon: run is not a valid change command\n"],
    ["FROM busybox", "Error response from daemon: from is not a valid change command\n"],
    ["EXPOSE abc", "Error response from daemon: Invalid containerPort: abc\n"],
    [
      "ENV",
      "Error response from daemon: dockerfile parse error line 1: ENV requires at least one argument\n",
    ],
  ];
  for (const [change, message] of cases) {
    const r = await strata(root, ["commit", "-c", change, "base", "local/bad:1"]);
    assert.deepEqual([r.stdout, r.stderr, r.code], ["", message, 1], change);
  }
  assert.equal(await ok(["images", "-a", "-q", "--no-trunc"]), before);
});

test("docker commit --change through the API", async () => {
  assert.ok(svc);
  const r = await docker(svc, [
    "commit",
    "--change",
    "ENV VIA=api",
    "--change",
    "EXPOSE 8080",
    "-m",
    "by docker",
    "base",
    "local/viaapi:1",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const c = await config("local/viaapi:1");
  assert.ok((c.Env as string[]).includes("VIA=api"));
  assert.deepEqual(c.ExposedPorts, { "8080/tcp": {} });
  const bad = await docker(svc, ["commit", "--change", "RUN true", "base"]);
  assert.deepEqual(
    [bad.stderr, bad.code],
    ["Error response from daemon: run is not a valid change command\n", 1],
  );
});
