/** buildSpec: Docker's defaults in the OCI spec strata hands to crun. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildSpec, type SpecInput } from "../../src/runtime/index.ts";

const base: SpecInput = {
  rootfs: "/r/rootfs",
  args: ["sh", "-c", "echo hi"],
  env: [],
  cwd: "/",
  user: { uid: 0, gid: 0, additionalGids: [] },
  hostname: "0123456789ab",
  tty: false,
  network: "none",
  etcDir: "/r/userdata",
};

const DOCKER_CAPS = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
];

test("namespaces: mount, network, uts, pid, ipc; no network namespace with --network host", () => {
  assert.deepEqual(
    buildSpec(base).linux.namespaces.map((n) => n.type),
    ["mount", "network", "uts", "pid", "ipc"],
  );
  assert.deepEqual(
    buildSpec({ ...base, network: "host" }).linux.namespaces.map((n) => n.type),
    ["mount", "uts", "pid", "ipc"],
  );
});

test("root gets Docker's 14 capabilities; another user only the bounding set (moby SetCapabilities)", () => {
  const root = buildSpec(base).process.capabilities;
  assert.deepEqual(root.bounding, DOCKER_CAPS);
  assert.deepEqual(root.effective, DOCKER_CAPS);
  assert.deepEqual(root.permitted, DOCKER_CAPS);
  const nobody = buildSpec({ ...base, user: { uid: 65534, gid: 65534, additionalGids: [] } }).process;
  assert.deepEqual(nobody.capabilities, { bounding: DOCKER_CAPS });
  assert.deepEqual(nobody.user, { uid: 65534, gid: 65534 });
  const grouped = buildSpec({ ...base, user: { uid: 1, gid: 2, additionalGids: [3, 4] } }).process.user;
  assert.deepEqual(grouped, { uid: 1, gid: 2, additionalGids: [3, 4] });
});

test("masked and read-only paths are Docker's", () => {
  const linux = buildSpec(base).linux;
  for (const p of [
    "/proc/acpi",
    "/proc/asound",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/sys/devices/virtual/powercap",
    "/sys/firmware",
  ]) {
    assert.ok(linux.maskedPaths.includes(p), p);
  }
  assert.ok(
    linux.maskedPaths
      .slice(12)
      .every((p) => /^\/sys\/devices\/system\/cpu\/cpu\d+\/thermal_throttle$/.test(p)),
  );
  assert.deepEqual(linux.readonlyPaths, [
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
  ]);
  assert.equal(linux.resources.devices[0]?.allow, false, "devices: deny all first");
});

test("mounts: /proc, /dev, /dev/pts, /sys ro, /sys/fs/cgroup ro, /dev/mqueue, /dev/shm, then the /etc binds", () => {
  const mounts = buildSpec(base).mounts;
  assert.deepEqual(
    mounts.map((m) => `${m.destination} ${m.type}`),
    [
      "/proc proc",
      "/dev tmpfs",
      "/dev/pts devpts",
      "/sys sysfs",
      "/sys/fs/cgroup cgroup",
      "/dev/mqueue mqueue",
      "/dev/shm tmpfs",
      "/etc/hosts bind",
      "/etc/hostname bind",
      "/etc/resolv.conf bind",
    ],
  );
  assert.ok(mounts[3]?.options.includes("ro"));
  assert.ok(mounts[4]?.options.includes("ro"));
  assert.deepEqual(mounts[7], {
    destination: "/etc/hosts",
    type: "bind",
    source: "/r/userdata/hosts",
    options: ["rbind", "rprivate"],
  });
  assert.ok(mounts[6]?.options.includes("size=67108864"), "Docker's 64 MiB /dev/shm");
});

test("--read-only makes the root and the /etc binds read-only", () => {
  const spec = buildSpec({ ...base, readonlyRootfs: true });
  assert.equal(spec.root.readonly, true);
  for (const m of spec.mounts.filter((m) => m.type === "bind"))
    assert.ok(m.options.includes("ro"), m.destination);
  assert.equal(buildSpec(base).root.readonly, false);
});

test("environment: PATH, HOSTNAME, TERM with a terminal, then the container's Env replacing or adding", () => {
  assert.deepEqual(buildSpec(base).process.env, [
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOSTNAME=0123456789ab",
  ]);
  const env = buildSpec({ ...base, tty: true, env: ["FOO=1", "PATH=/bin", "HOSTNAME"] }).process.env;
  assert.deepEqual(env, ["PATH=/bin", "TERM=xterm", "FOO=1"]);
});

test("hostname, args, cwd, terminal and the root path come from the input", () => {
  const spec = buildSpec({ ...base, tty: true, cwd: "/tmp" });
  assert.equal(spec.hostname, "0123456789ab");
  assert.deepEqual(spec.process.args, ["sh", "-c", "echo hi"]);
  assert.equal(spec.process.cwd, "/tmp");
  assert.equal(spec.process.terminal, true);
  assert.equal(spec.root.path, "/r/rootfs");
});

test("rlimits are this process's own (nothing above what root here can set)", () => {
  const rlimits = buildSpec(base).process.rlimits;
  const nofile = rlimits.find((r) => r.type === "RLIMIT_NOFILE");
  assert.ok(nofile, "RLIMIT_NOFILE is stated");
  assert.ok(nofile.soft <= nofile.hard);
  assert.throws(
    () => buildSpec({ ...base, ulimits: [{ type: "RLIMIT_NOFILE", soft: 1, hard: nofile.hard + 1 }] }),
    /CAP_SYS_RESOURCE/,
  );
  const lowered = buildSpec({ ...base, ulimits: [{ type: "RLIMIT_NOFILE", soft: 64, hard: 128 }] }).process
    .rlimits;
  assert.deepEqual(
    lowered.find((r) => r.type === "RLIMIT_NOFILE"),
    { type: "RLIMIT_NOFILE", soft: 64, hard: 128 },
  );
});

test("sysctls for unprivileged ports and ping in the container's own network namespace only", () => {
  assert.equal(buildSpec(base).linux.sysctl?.["net.ipv4.ip_unprivileged_port_start"], "0");
  assert.equal(buildSpec({ ...base, network: "host" }).linux.sysctl, undefined);
});

test("the older flat uid/gid input shape still works", () => {
  const { user: _omitted, ...flat } = base as SpecInput & { user: unknown };
  const { user, capabilities } = buildSpec({ ...flat, uid: 5, gid: 6 }).process;
  assert.deepEqual(user, { uid: 5, gid: 6 });
  assert.deepEqual(capabilities.effective, undefined);
});
