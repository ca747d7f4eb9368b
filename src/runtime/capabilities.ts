/**
 * `--cap-add`, `--cap-drop` and `--privileged` as moby computes them
 * (oci/caps/utils.go TweakCapabilities): names with or without `CAP_`, in
 * any case, `ALL`; drops apply to the defaults first, then adds. A container
 * can only get capabilities strata itself holds in its bounding set (root on
 * some machines lacks CAP_SYS_RESOURCE): asking for one it lacks is an error
 * naming it, since the runtime would fail with a bare EPERM.
 */
import { readFileSync } from "node:fs";
import { StrataError } from "../errors.ts";
import { DEFAULT_CAPABILITIES } from "./spec-defaults.ts";

/** Linux's capabilities by number (capability.h). */
const ALL = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
];

/** The capabilities this kernel knows (up to cap_last_cap). */
export function knownCapabilities(): string[] {
  let last = ALL.length - 1;
  try {
    last = Number(readFileSync("/proc/sys/kernel/cap_last_cap", "utf8").trim());
  } catch {}
  return ALL.slice(0, last + 1);
}

/** The capabilities in this process's bounding set: the most a container can be given. */
export function heldCapabilities(): string[] {
  let mask = -1n;
  try {
    const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) mask = BigInt(`0x${m[1]}`);
  } catch {}
  return knownCapabilities().filter((_c, i) => (mask >> BigInt(i)) & 1n);
}

/** `net_admin`, `NET_ADMIN`, `cap_net_admin` → `CAP_NET_ADMIN`; Docker's error for names it does not know. */
export function normalizeCapability(name: string): string {
  const upper = name.toUpperCase();
  if (upper === "ALL") return "ALL";
  const cap = upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
  if (!ALL.includes(cap)) {
    throw new StrataError("INVALID_ARGUMENT", `unknown capability: "${cap}"`, { details: { daemon: true } });
  }
  return cap;
}

/** Docker wraps a bad name as `invalid CapAdd: unknown capability: "CAP_X"`. */
function normalizeAll(field: string, names: string[] | null | undefined): string[] {
  try {
    return (names ?? []).map(normalizeCapability);
  } catch (err) {
    throw new StrataError("INVALID_ARGUMENT", `invalid ${field}: ${(err as Error).message}`, {
      details: { daemon: true },
    });
  }
}

export interface CapabilityOptions {
  add?: string[] | null;
  drop?: string[] | null;
  privileged?: boolean;
}

/** The container's capability set: Docker's defaults with drops, then adds; privileged gets every one held. */
export function containerCapabilities(opts: CapabilityOptions): string[] {
  const held = heldCapabilities();
  if (opts.privileged) return held;
  const add = normalizeAll("CapAdd", opts.add);
  const drop = normalizeAll("CapDrop", opts.drop);
  // Adding ALL gives everything but the drops; dropping ALL keeps only the adds.
  if (add.includes("ALL")) return held.filter((c) => !drop.includes(c));
  let caps: string[] = drop.includes("ALL") ? [] : DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c));
  for (const c of add) {
    if (!held.includes(c)) {
      throw new StrataError(
        "INVALID_ARGUMENT",
        `cannot add capability ${c}: strata does not hold it itself (it is not in this process's bounding set)`,
        { details: { daemon: true } },
      );
    }
    if (!caps.includes(c)) caps = [...caps, c];
  }
  return caps;
}
