/**
 * Docker's container security defaults, seen from inside real containers
 * (crun + conmon): a seccomp filter by default (Seccomp: 2, as under
 * Docker) that blocks what the profile blocks, `--security-opt
 * seccomp=unconfined|PROFILE.json` and `no-new-privileges`, Docker's
 * capability set, `--cap-add/--cap-drop`, `--privileged`, `--read-only`,
 * `--device`, `--group-add` and `--init`.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { strata } from "../support/cli.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";

const root = tempDir();
const dir = tempDir();
const IMAGE = "local/bb:sec";

before(async () => {
  writeFileSync(join(dir, "bb.tar"), busyboxBaseTar());
  const r = await strata(root, ["import", join(dir, "bb.tar"), IMAGE]);
  assert.equal(r.code, 0, r.stderr);
});

async function run(flags: string[], script: string) {
  return strata(root, ["run", "--rm", ...flags, IMAGE, "sh", "-c", script]);
}

async function ok(flags: string[], script: string): Promise<string> {
  const r = await run(flags, script);
  assert.equal(r.code, 0, `run ${flags.join(" ")} ${script}: ${r.stderr}`);
  return r.stdout;
}

const status = (field: string) => `grep '^${field}:' /proc/self/status | cut -f2`;

/** Docker's default capability set (moby caps.DefaultCapabilities) as the kernel's mask. */
const DOCKER_CAPS = "00000000a80425fb";

test("containers run under a seccomp filter by default, as under Docker; unconfined has none", async () => {
  assert.equal(await ok([], status("Seccomp")), "2\n");
  assert.equal(await ok(["--security-opt", "seccomp=unconfined"], status("Seccomp")), "0\n");
  // personality(ADDR_NO_RANDOMIZE) is outside the profile's allowed personalities.
  const blocked = await run([], "busybox linux64 -R true");
  assert.notEqual(blocked.code, 0);
  assert.match(blocked.stderr, /personality\(0x40000\): (Function not implemented|Operation not permitted)/);
  assert.equal(
    await ok(["--security-opt", "seccomp=unconfined"], "busybox linux64 -R true && echo fine"),
    "fine\n",
  );
  const inspect = await strata(root, ["create", "--security-opt", "seccomp=unconfined", IMAGE]);
  const id = inspect.stdout.trim();
  const opts = await strata(root, ["inspect", "--format", "{{json .HostConfig.SecurityOpt}}", id]);
  assert.equal(opts.stdout, '["seccomp=unconfined"]\n');
  await strata(root, ["rm", id]);
});

test("--security-opt seccomp=PROFILE.json applies that profile, read by the client", async () => {
  const profile = join(dir, "no-mkdir.json");
  writeFileSync(
    profile,
    JSON.stringify({
      defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1 }],
    }),
  );
  const r = await run(["--security-opt", `seccomp=${profile}`], "mkdir /tmp/x");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Operation not permitted/);
  assert.equal(await ok(["--security-opt", `seccomp=${profile}`], "touch /tmp/y && echo made"), "made\n");

  const missing = await run(["--security-opt", "seccomp=/nonexistent.json"], "true");
  assert.equal(missing.code, 125);
  assert.match(
    missing.stderr,
    /^strata: opening seccomp profile \(\/nonexistent\.json\) failed: open \/nonexistent\.json: no such file or directory\.\n/,
  );
  writeFileSync(join(dir, "bad.json"), '{"syscalls": 3}');
  const bad = await run(["--security-opt", `seccomp=${join(dir, "bad.json")}`], "true");
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /Error response from daemon: Decoding seccomp profile failed/);
  const unknown = await run(["--security-opt", "foo=bar"], "true");
  assert.equal(unknown.code, 125);
  assert.match(unknown.stderr, /Error response from daemon: invalid --security-opt 2: "foo=bar"/);
  assert.equal((await strata(root, ["ps", "-aq"])).stdout, "", "nothing half-created");
});

test("no-new-privileges sets the flag; by default it is off", async () => {
  assert.equal(await ok([], status("NoNewPrivs")), "0\n");
  assert.equal(await ok(["--security-opt", "no-new-privileges"], status("NoNewPrivs")), "1\n");
  assert.equal(await ok(["--security-opt", "no-new-privileges=true"], status("NoNewPrivs")), "1\n");
});

test("capabilities equal Docker's defaults; --cap-add/--cap-drop change them", async () => {
  assert.equal(await ok([], status("CapEff")), `${DOCKER_CAPS}\n`);
  assert.equal(await ok([], status("CapBnd")), `${DOCKER_CAPS}\n`);
  // CAP_NET_ADMIN is bit 12, CAP_CHOWN bit 0.
  assert.equal(
    await ok(["--cap-add", "net_admin", "--cap-drop", "CAP_CHOWN"], status("CapEff")),
    "00000000a80435fa\n",
  );
  assert.equal(
    await ok(["--cap-drop", "ALL", "--cap-add", "NET_ADMIN"], status("CapEff")),
    "0000000000001000\n",
  );
  assert.equal(
    await ok(["--cap-drop", "ALL"], "chown nobody /tmp 2>&1; echo $?"),
    "chown: /tmp: Operation not permitted\n1\n",
  );
  const bad = await run(["--cap-add", "FOO"], "true");
  assert.equal(bad.code, 125);
  assert.equal(
    bad.stderr,
    "strata: Error response from daemon: invalid CapAdd: unknown capability: \"CAP_FOO\".\nSee 'strata run --help'.\n",
  );
});

test("--privileged: every capability strata holds, no seccomp, no masked paths, host devices", async () => {
  const masked = "grep -c ' /proc/keys ' /proc/self/mountinfo";
  assert.equal(await ok([], masked), "1\n");
  const out = await ok(
    ["--privileged"],
    `${status("Seccomp")}; ${masked}; test -c /dev/loop-control && echo devices`,
  );
  assert.equal(out, "0\n0\ndevices\n");
  const own = /^CapBnd:\s*(\S+)$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
  assert.equal(await ok(["--privileged"], status("CapEff")), `${own}\n`);
});

test("--read-only, --device, --group-add and --init", async () => {
  const ro = await run(["--read-only"], "touch /x");
  assert.equal(ro.code, 1);
  assert.match(ro.stderr, /Read-only file system/);
  assert.equal(await ok(["--read-only"], "touch /tmp/x 2>/dev/null || echo still-ro"), "still-ro\n");

  assert.equal(await ok([], "test -e /dev/fuse || echo none"), "none\n");
  assert.match(await ok(["--device", "/dev/fuse"], "ls -l /dev/fuse"), /^c.* 10, +229 .*\/dev\/fuse\n$/);
  assert.match(await ok(["--device", "/dev/null:/dev/mynull:r"], "ls -l /dev/mynull"), /^c.* 1, +3 /);
  const missing = await run(["--device", "/dev/nonexistent"], "true");
  assert.equal(missing.code, 125);
  assert.match(
    missing.stderr,
    /Error response from daemon: error gathering device information while adding custom device "\/dev\/nonexistent": no such file or directory/,
  );
  const mode = await run(["--device", "/dev/fuse:/dev/fuse:rwx"], "true");
  assert.equal(mode.code, 125);
  assert.match(
    mode.stderr,
    /^invalid argument "\/dev\/fuse:\/dev\/fuse:rwx" for "--device" flag: bad mode specified: rwx\n/,
  );

  assert.equal(await ok(["--group-add", "nogroup", "--group-add", "1234"], "id -G"), "0 1234 65534\n");
  const group = await run(["--group-add", "nosuchgroup"], "true");
  assert.notEqual(group.code, 0);
  assert.match(group.stderr, /Unable to find group nosuchgroup/);

  assert.equal(
    await ok(["--init"], "cat /proc/1/cmdline | tr '\\0' ' '"),
    "/sbin/docker-init -- sh -c cat /proc/1/cmdline | tr '\\0' ' ' ",
  );
  assert.equal(
    await ok([], "cat /proc/1/cmdline | tr '\\0' ' '"),
    "sh -c cat /proc/1/cmdline | tr '\\0' ' ' ",
  );
});
