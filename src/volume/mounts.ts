/**
 * A container's mounts, from request to runtime: `resolveMounts` (at
 * create) names the volumes each mount uses, adding anonymous volumes for the
 * image's VOLUME paths; `setupMounts` (at start) makes sources exist, fills a
 * new volume with the image's content at its path (Docker's copy-up) and
 * returns the OCI mounts; `releaseVolumes` (at `rm -v`, `run --rm`) removes
 * the container's anonymous volumes.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { StrataError } from "../errors.ts";
import type { ContainerConfig } from "../metadata/index.ts";
import type { OciMount } from "../runtime/oci-spec.ts";
import type { Store } from "../store/index.ts";
import { childProcess } from "../sys/builtins.ts";
import { nowSeconds } from "./clock.ts";
import { recordVolumeEvent } from "./events.ts";
import { anonymousName, volumeData, volumeDir } from "./names.ts";
import type { MountRequest } from "./parse.ts";
import { checkDuplicates } from "./parse.ts";
import { resolveInRoot } from "./scope.ts";

/** What a container keeps of each mount (its config's `Mounts`, schema in metadata/container-config.ts). */
export type ContainerMount = ContainerConfig["Mounts"][number];

/** A volume `resolveMounts` will create when the container record is written. */
export interface NewVolume {
  name: string;
  anonymous: boolean;
  labels: Record<string, string> | null;
}

/** The mounts a new container gets; volumes it names that do not exist yet are in `create`. */
export function resolveMounts(
  requests: MountRequest[],
  imageVolumes: Record<string, unknown> | undefined,
): { mounts: ContainerMount[]; create: NewVolume[] } {
  checkDuplicates(requests);
  const create: NewVolume[] = [];
  const mounts = requests.map((r): ContainerMount => {
    let source = r.source;
    const anonymous = r.type === "volume" && source === "";
    if (anonymous) source = anonymousName();
    // Every volume named is (re)ensured with the container's record: a `volume rm` racing this create then fails as in use.
    if (r.type === "volume") {
      const labels = Object.keys(r.volumeLabels).length > 0 ? r.volumeLabels : null;
      if (!create.some((v) => v.name === source)) create.push({ name: source, anonymous, labels });
    }
    if (r.type === "bind" && !r.createSource && !existsSync(r.source)) {
      throw bindSourceMissing(r.source);
    }
    return {
      Type: r.type,
      Source: source,
      Destination: r.target,
      RW: !r.readOnly,
      Mode: r.mode,
      Propagation: r.propagation,
      CopyData: r.copyData,
      Anonymous: anonymous,
      Options: r.tmpfsOptions,
      CreateSource: r.createSource,
      Origin: r.origin,
      Spec: r.spec,
    };
  });
  // The image's VOLUME paths a user mount does not cover get an anonymous volume each.
  for (const path of Object.keys(imageVolumes ?? {}).sort()) {
    const target = path.length > 1 ? path.replace(/\/+$/, "") : path;
    if (mounts.some((m) => m.Destination === target)) continue;
    const name = anonymousName();
    create.push({ name, anonymous: true, labels: null });
    mounts.push({
      Type: "volume",
      Source: name,
      Destination: target,
      RW: true,
      Mode: "",
      Propagation: "",
      CopyData: true,
      Anonymous: true,
      Options: [],
      CreateSource: true,
      Origin: "image",
      Spec: "",
    });
  }
  return { mounts, create };
}

function bindSourceMissing(path: string): StrataError {
  return new StrataError(
    "INVALID_ARGUMENT",
    `invalid mount config for type "bind": bind source path does not exist: ${path}`,
    { details: { daemon: true } },
  );
}

/** Once their records are written: the new volumes' directories. */
export function createVolumeDirs(store: Store, volumes: NewVolume[]): void {
  for (const v of volumes) mkdirSync(volumeData(store.root, v.name), { recursive: true, mode: 0o755 });
}

/**
 * Writes the records of volumes a new container brings; the caller's
 * transaction holds the container's too. Returns those it wrote (another
 * process may have made one of the same name meanwhile).
 */
export function insertVolumes(store: Store, volumes: NewVolume[]): NewVolume[] {
  return volumes.filter((v) =>
    store.meta.volumes.insert({
      name: v.name,
      driver: "local",
      labels: v.labels,
      options: null,
      anonymous: v.anonymous,
      createdAt: nowSeconds(),
    }),
  );
}

function isEmptyDir(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return true;
  }
}

/**
 * Docker's CopyImagePathContent: an empty volume takes what the container's
 * root holds at the mount path (owner, modes, xattrs and the directory's own
 * attributes), resolved inside that root so a symlink never leads out of it.
 */
function copyUp(rootfs: string, destination: string, data: string): void {
  if (!isEmptyDir(data)) return;
  const from = resolveInRoot(rootfs, destination);
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(from);
  } catch {
    return;
  }
  if (!st.isDirectory()) return;
  childProcess().execFileSync("cp", ["-a", "--", `${from}/.`, `${data}/`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
}

/** Docker's mount order: parents before children (fewest path components first). */
const depth = (p: string) => p.split("/").filter(Boolean).length;

/**
 * Makes every source exist and returns the OCI mounts, in Docker's order;
 * `rootfs` is the container's mounted root (for copy-up).
 */
export function setupMounts(root: string, mounts: ContainerMount[], rootfs: string): OciMount[] {
  const sorted = [...mounts].sort((a, b) => depth(a.Destination) - depth(b.Destination));
  return sorted.map((m): OciMount => {
    if (m.Type === "tmpfs") {
      const options = ["noexec", "nosuid", "nodev", ...m.Options];
      return { destination: m.Destination, type: "tmpfs", source: "tmpfs", options };
    }
    let source = m.Source;
    if (m.Type === "volume") {
      source = volumeData(root, m.Source);
      mkdirSync(source, { recursive: true, mode: 0o755 });
      if (m.CopyData) copyUp(rootfs, m.Destination, source);
    } else if (!existsSync(source)) {
      if (!m.CreateSource) throw bindSourceMissing(source);
      mkdirSync(source, { recursive: true, mode: 0o755 });
    }
    const options = ["rbind", m.Propagation || "rprivate"];
    if (!m.RW) options.push("ro");
    return { destination: m.Destination, type: "bind", source, options };
  });
}

/** The spec's default mounts without those a user mount replaces (`-v /x:/etc/hosts`), then the user's. */
export function withUserMounts(defaults: OciMount[], user: OciMount[]): OciMount[] {
  const taken = new Set(user.map((m) => m.destination));
  return [...defaults.filter((m) => !taken.has(m.destination)), ...user];
}

/** A container's mounts as `docker inspect` shows them (types.MountPoint). */
export function inspectMounts(root: string, mounts: ContainerMount[]): Record<string, unknown>[] {
  return mounts
    .filter((m) => m.Origin !== "tmpfs-flag")
    .map((m) =>
      m.Type === "volume"
        ? {
            Type: "volume",
            Name: m.Source,
            Source: volumeData(root, m.Source),
            Destination: m.Destination,
            Driver: "local",
            Mode: m.Mode,
            RW: m.RW,
            Propagation: m.Propagation,
          }
        : {
            Type: m.Type,
            Source: m.Source,
            Destination: m.Destination,
            Mode: m.Mode,
            RW: m.RW,
            Propagation: m.Propagation,
          },
    );
}

/** inspect's HostConfig.Binds, Mounts and Tmpfs, and Config.Volumes, as Docker fills them from the flags. */
export function inspectHostMounts(mounts: ContainerMount[]) {
  const binds = mounts.filter((m) => m.Origin === "volume-flag" && !m.Anonymous).map((m) => m.Spec);
  const apiMounts = mounts
    .filter((m) => m.Origin === "mount-flag")
    .map((m) => ({
      Type: m.Type,
      ...(m.Type === "tmpfs" || m.Anonymous ? {} : { Source: m.Source }),
      Target: m.Destination,
      ...(m.RW ? {} : { ReadOnly: true }),
      ...(m.Type === "volume" && !m.CopyData ? { VolumeOptions: { NoCopy: true } } : {}),
    }));
  const tmpfs = mounts.filter((m) => m.Origin === "tmpfs-flag");
  const volumes = mounts.filter((m) => m.Origin === "image" || (m.Origin === "volume-flag" && m.Anonymous));
  return {
    Binds: binds.length > 0 ? binds : null,
    Mounts: apiMounts.length > 0 ? apiMounts : undefined,
    Tmpfs:
      tmpfs.length > 0
        ? Object.fromEntries(tmpfs.map((m) => [m.Destination, m.Options.join(",")]))
        : undefined,
    Volumes: volumes.length > 0 ? Object.fromEntries(volumes.map((m) => [m.Destination, {}])) : null,
  };
}

/** The volumes each container's mounts name: volume → container IDs. */
export function volumeUsers(store: Store): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const c of store.meta.containers.list()) {
    for (const m of mountsOf(c.config)) {
      if (m.Type !== "volume") continue;
      users.set(m.Source, [...(users.get(m.Source) ?? []), c.id]);
    }
  }
  return users;
}

export function mountsOf(config: ContainerConfig): ContainerMount[] {
  return config.Mounts;
}

/** Removes a volume's files once its record is gone (the caller's transaction checked it was unused). */
export function destroyVolume(store: Store, name: string): void {
  rmSync(volumeDir(store.root, name), { recursive: true, force: true });
  recordVolumeEvent(store, name, "destroy");
}

/**
 * `rm -v` / `run --rm`: the removed container's anonymous volumes go too,
 * unless another container still uses one (`run --volumes-from` style
 * sharing), as Docker keeps those.
 */
export function releaseVolumes(store: Store, mounts: ContainerMount[]): void {
  const anonymous = mounts.filter((m) => m.Type === "volume" && m.Anonymous).map((m) => m.Source);
  if (anonymous.length === 0) return;
  const gone: string[] = [];
  store.meta.transaction(() => {
    const users = volumeUsers(store);
    for (const name of anonymous) {
      if ((users.get(name) ?? []).length > 0) continue;
      store.meta.volumes.delete(name);
      gone.push(name);
    }
  });
  for (const name of gone) destroyVolume(store, name);
}
