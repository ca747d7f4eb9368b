/**
 * Host devices given to a container (`--device`, and every host device for
 * `--privileged`), as moby's daemon/oci_linux.go and runc's HostDevices do:
 * the node the runtime creates (type, major, minor, mode, owner) and the
 * device-cgroup rule that lets the container use it.
 */
import { lstatSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors.ts";
import type { OciDevice, OciDeviceRule } from "./oci-spec.ts";

const S_IFMT = 0o170000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;

/** glibc's major()/minor() for a dev_t. */
function majorMinor(rdev: number): { major: number; minor: number } {
  const dev = BigInt(rdev);
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}

function nodeOf(path: string, inContainer: string): OciDevice | undefined {
  const st = statSync(path);
  const kind = st.mode & S_IFMT;
  if (kind !== S_IFCHR && kind !== S_IFBLK) return undefined;
  return {
    path: inContainer,
    type: kind === S_IFCHR ? "c" : "b",
    ...majorMinor(st.rdev),
    fileMode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
  };
}

export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

/** The device nodes and cgroup rules of one `--device` mapping (a directory gives every device in it). */
export function mappedDevices(m: DeviceMapping): { devices: OciDevice[]; rules: OciDeviceRule[] } {
  const devices: OciDevice[] = [];
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(m.PathOnHost);
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : String(err);
    throw new StrataError(
      "INVALID_ARGUMENT",
      `error gathering device information while adding custom device "${m.PathOnHost}": ${reason}`,
      { details: { daemon: true } },
    );
  }
  if (st.isDirectory()) {
    for (const d of walk(m.PathOnHost)) {
      devices.push({ ...d, path: join(m.PathInContainer, d.path.slice(m.PathOnHost.length)) });
    }
  } else {
    const d = nodeOf(m.PathOnHost, m.PathInContainer);
    if (!d) {
      throw new StrataError(
        "INVALID_ARGUMENT",
        `error gathering device information while adding custom device "${m.PathOnHost}": not a device node`,
        { details: { daemon: true } },
      );
    }
    devices.push(d);
  }
  const rules = devices.map((d) => ({
    allow: true,
    type: d.type as "c" | "b",
    major: d.major,
    minor: d.minor,
    access: m.CgroupPermissions,
  }));
  return { devices, rules };
}

/** runc's HostDevices skips these: pseudo-terminals, shm, fds, mqueue and container tooling. */
const SKIP = new Set(["pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"]);

/** Every device node under `dir` (symlinks not followed). */
export function walk(dir: string): OciDevice[] {
  const out: OciDevice[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(path);
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      if (!SKIP.has(name)) out.push(...walk(path));
      continue;
    }
    if (name === "console") continue;
    const kind = st.mode & S_IFMT;
    if (kind !== S_IFCHR && kind !== S_IFBLK) continue;
    out.push({
      path,
      type: kind === S_IFCHR ? "c" : "b",
      ...majorMinor(st.rdev),
      fileMode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
    });
  }
  return out;
}
