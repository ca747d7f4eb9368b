/**
 * The OCI runtime spec strata gives crun/runc, with Docker's defaults: the
 * same namespaces, capabilities, masked and read-only paths, mounts and device
 * rules as `docker run` (see spec-defaults.ts), Docker's environment, and
 * /etc/hosts, /etc/hostname, /etc/resolv.conf bind-mounted from the
 * container's own directory so they never count in its size.
 */
import { join } from "node:path";
import { containerEnv } from "./env.ts";
import type { OciMount, OciRlimit, OciSpec } from "./oci-spec.ts";
import { containerRlimits } from "./rlimits.ts";
import {
  DEFAULT_CAPABILITIES,
  defaultDeviceRules,
  defaultMounts,
  maskedPaths,
  READONLY_PATHS,
} from "./spec-defaults.ts";
import type { ProcessUser } from "./user.ts";

export type NetworkMode = "none" | "host";

interface SpecInputBase {
  /** Absolute path of the container's root file system (the mounted overlay). */
  rootfs: string;
  /** The resolved argv (resolveProcess().args). */
  args: string[];
  /** The container's Env; PATH, HOSTNAME and TERM are added the way Docker adds them. */
  env: string[];
  cwd: string;
  hostname: string;
  tty: boolean;
  network: NetworkMode;
  /** A network namespace made beforehand (a bridge network's): joined instead of a new, empty one. */
  netnsPath?: string;
  /** Directory holding hosts, hostname and resolv.conf (see writeEtcFiles). */
  etcDir: string;
  readonlyRootfs?: boolean;
  /** `--ulimit` values; never above this process's hard limits. */
  ulimits?: OciRlimit[];
  /** e.g. `/strata/<id>`; the runtime picks one when omitted. */
  cgroupsPath?: string;
}

/** `user` from resolveUser; the flat uid/gid form is the older call shape, kept for existing callers. */
export type SpecInput = SpecInputBase & ({ user: ProcessUser } | { uid: number; gid: number });

function bindEtc(etcDir: string, name: string, readonly: boolean): OciMount {
  const options = ["rbind", "rprivate"];
  // Docker makes these read-only too when the root file system is (--read-only).
  if (readonly) options.push("ro");
  return { destination: `/etc/${name}`, type: "bind", source: join(etcDir, name), options };
}

export function buildSpec(input: SpecInput): OciSpec {
  const user: ProcessUser =
    "user" in input ? input.user : { uid: input.uid, gid: input.gid, additionalGids: [] };
  const readonly = input.readonlyRootfs ?? false;
  const namespaces: { type: string; path?: string }[] = [
    { type: "mount" },
    { type: "uts" },
    { type: "pid" },
    { type: "ipc" },
  ];
  // `none` still gets a namespace of its own (only lo); `host` shares the host's.
  if (input.network !== "host") {
    namespaces.splice(
      1,
      0,
      input.netnsPath ? { type: "network", path: input.netnsPath } : { type: "network" },
    );
  }
  const spec: OciSpec = {
    ociVersion: "1.0.2",
    process: {
      terminal: input.tty,
      user: {
        uid: user.uid,
        gid: user.gid,
        ...(user.additionalGids.length > 0 ? { additionalGids: user.additionalGids } : {}),
      },
      args: input.args,
      env: containerEnv(input.env, input.hostname, input.tty),
      cwd: input.cwd || "/",
      // Like execve, a non-root user starts with no effective or permitted capabilities (moby SetCapabilities).
      capabilities:
        user.uid === 0
          ? {
              bounding: [...DEFAULT_CAPABILITIES],
              effective: [...DEFAULT_CAPABILITIES],
              permitted: [...DEFAULT_CAPABILITIES],
            }
          : { bounding: [...DEFAULT_CAPABILITIES] },
      rlimits: containerRlimits(input.ulimits),
      noNewPrivileges: false,
    },
    root: { path: input.rootfs, readonly },
    hostname: input.hostname,
    mounts: [
      ...defaultMounts(),
      bindEtc(input.etcDir, "hosts", readonly),
      bindEtc(input.etcDir, "hostname", readonly),
      bindEtc(input.etcDir, "resolv.conf", readonly),
    ],
    linux: {
      namespaces,
      maskedPaths: maskedPaths(),
      readonlyPaths: [...READONLY_PATHS],
      resources: { devices: defaultDeviceRules() },
    },
  };
  if (input.network !== "host") {
    // Docker (20.10+) lets any user bind low ports and ping inside a container's own network namespace.
    spec.linux.sysctl = {
      "net.ipv4.ip_unprivileged_port_start": "0",
      "net.ipv4.ping_group_range": "0 2147483647",
    };
  }
  if (input.cgroupsPath) spec.linux.cgroupsPath = input.cgroupsPath;
  return spec;
}
