/**
 * The OCI runtime spec strata gives crun, with Docker's defaults: the same
 * namespaces, capability set, masked and read-only paths and mounts as
 * `docker run` (moby oci/defaults.go), and /etc/hosts, /etc/hostname,
 * /etc/resolv.conf bind-mounted from the container's own directory so they
 * never count in its size.
 */
import { join } from "node:path";

export interface SpecInput {
  rootfs: string;
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  hostname: string;
  tty: boolean;
  network: "none" | "host";
  /** Directory holding hosts, hostname and resolv.conf. */
  etcDir: string;
}

const CAPS = [
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

const MASKED = [
  "/proc/asound",
  "/proc/acpi",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
];

const READONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

export function buildSpec(input: SpecInput): Record<string, unknown> {
  const namespaces = [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }];
  if (input.network === "none") namespaces.push({ type: "network" });
  const bind = (name: string) => ({
    destination: `/etc/${name}`,
    type: "bind",
    source: join(input.etcDir, name),
    options: ["rbind", "rprivate"],
  });
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: input.tty,
      user: { uid: input.uid, gid: input.gid },
      args: input.args,
      env: input.env,
      cwd: input.cwd || "/",
      capabilities: { bounding: CAPS, effective: CAPS, permitted: CAPS },
      noNewPrivileges: false,
    },
    root: { path: input.rootfs, readonly: false },
    hostname: input.hostname,
    mounts: [
      { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
      {
        destination: "/dev",
        type: "tmpfs",
        source: "tmpfs",
        options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
      },
      {
        destination: "/dev/pts",
        type: "devpts",
        source: "devpts",
        options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
      },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
      {
        destination: "/sys/fs/cgroup",
        type: "cgroup",
        source: "cgroup",
        options: ["ro", "nosuid", "noexec", "nodev"],
      },
      {
        destination: "/dev/mqueue",
        type: "mqueue",
        source: "mqueue",
        options: ["nosuid", "noexec", "nodev"],
      },
      {
        destination: "/dev/shm",
        type: "tmpfs",
        source: "shm",
        options: ["nosuid", "noexec", "nodev", "mode=1777", "size=67108864"],
      },
      bind("hosts"),
      bind("hostname"),
      bind("resolv.conf"),
    ],
    linux: {
      namespaces,
      maskedPaths: MASKED,
      readonlyPaths: READONLY,
    },
  };
}
