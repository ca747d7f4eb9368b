/**
 * Docker's container defaults, as moby sets them (daemon/pkg/oci/defaults.go,
 * caps/defaults.go, daemon/oci_linux.go): the capability set, the kernel files
 * hidden or made read-only, the standard mounts and the device cgroup rules.
 */
import { existsSync, readdirSync } from "node:fs";
import type { OciDeviceRule, OciMount } from "./oci-spec.ts";

export const DEFAULT_CAPABILITIES = [
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

const MASKED_PATHS = [
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
];

export const READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

let masked: string[] | undefined;

/** Docker also hides each CPU's thermal_throttle directory where the host has one (GHSA-6fw5-f8r9-fgfm). */
export function maskedPaths(): string[] {
  if (!masked) {
    const cpus = "/sys/devices/system/cpu";
    let extra: string[] = [];
    try {
      extra = readdirSync(cpus)
        .filter((n) => /^cpu\d+$/.test(n))
        .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))
        .map((n) => `${cpus}/${n}/thermal_throttle`)
        .filter((p) => existsSync(p));
    } catch {}
    masked = [...MASKED_PATHS, ...extra];
  }
  return [...masked];
}

/** Docker's default --shm-size (64 MiB). */
export const DEFAULT_SHM_SIZE = 67108864;

export function defaultMounts(): OciMount[] {
  return [
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
    { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
    // Docker's default IPC mode is private: its own /dev/shm of --shm-size (64 MiB).
    {
      destination: "/dev/shm",
      type: "tmpfs",
      source: "shm",
      options: ["nosuid", "noexec", "nodev", "mode=1777", `size=${DEFAULT_SHM_SIZE}`],
    },
  ];
}

/** Deny every device, then allow the standard character devices (the runtime creates the nodes). */
export function defaultDeviceRules(): OciDeviceRule[] {
  const allow = (major: number, minor: number): OciDeviceRule => ({
    allow: true,
    type: "c",
    major,
    minor,
    access: "rwm",
  });
  return [
    { allow: false, access: "rwm" },
    allow(1, 5), // zero
    allow(1, 3), // null
    allow(1, 9), // urandom
    allow(1, 8), // random
    allow(5, 0), // tty
    allow(5, 1), // console
    { allow: false, type: "c", major: 10, minor: 229, access: "rwm" }, // fuse
  ];
}
