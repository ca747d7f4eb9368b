/**
 * Named volumes with Docker's local driver: a directory per volume
 * (`volumes/<name>/_data`, Docker's Mountpoint) and a record in the store.
 * Which containers use a volume is read from their mount lists, in the same
 * transaction that removes a volume, so a volume in use is never removed.
 */
import { mkdirSync } from "node:fs";
import { StrataError } from "../errors.ts";
import { byteOrder } from "../format/order.ts";
import type { VolumeRecord } from "../metadata/index.ts";
import { directorySize } from "../snapshot/index.ts";
import type { Store } from "../store/index.ts";
import { nowSeconds } from "./clock.ts";
import { recordVolumeEvent } from "./events.ts";
import { matchesVolumeFilters, parseVolumeFilters } from "./filters.ts";
import { destroyVolume, volumeUsers } from "./mounts.ts";
import { anonymousName, checkVolumeName, noSuchVolume, volumeData } from "./names.ts";

export interface VolumeCreateOptions {
  /** A random 64-hex name when omitted. */
  name?: string;
  driver?: string;
  labels?: Record<string, string>;
  /** Driver options (`-o`): the local driver's mount options are not supported yet. */
  options?: Record<string, string>;
}

/** `volume inspect`'s object (types.Volume), in Docker's key order. */
export interface VolumeInspect {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: "local";
}

/** `system df -v`'s volume row. */
export interface VolumeUsage {
  name: string;
  /** How many containers mount it. */
  links: number;
  size: number;
}

export class VolumeService {
  constructor(private readonly store: Store) {}

  /** `volume create`: an existing volume of that name is returned as it is (Docker does the same). */
  create(opts: VolumeCreateOptions = {}): VolumeInspect {
    const name = opts.name ?? anonymousName();
    checkVolumeName(name);
    const driver = opts.driver ?? "local";
    if (driver !== "local") {
      throw new StrataError(
        "NOT_FOUND",
        `create ${name}: error looking up volume plugin ${driver}: plugin "${driver}" not found`,
        { details: { daemon: true } },
      );
    }
    const keys = Object.keys(opts.options ?? {});
    if (keys.length > 0) {
      throw new StrataError(
        "INVALID_ARGUMENT",
        `create ${name}: the local driver's mount options (${keys.join(", ")}) are not supported by strata`,
        { details: { daemon: true } },
      );
    }
    mkdirSync(volumeData(this.store.root, name), { recursive: true, mode: 0o755 });
    const created = this.store.meta.volumes.insert({
      name,
      driver,
      labels: opts.labels ?? {},
      options: opts.options ?? {},
      anonymous: false,
      createdAt: nowSeconds(),
    });
    if (created) recordVolumeEvent(this.store, name, "create");
    return this.inspect(name);
  }

  get(name: string): VolumeRecord {
    const v = this.store.meta.volumes.get(name);
    if (!v) throw noSuchVolume(name);
    return v;
  }

  inspect(name: string): VolumeInspect {
    const v = this.get(name);
    return {
      CreatedAt: v.createdAt,
      Driver: v.driver,
      Labels: v.labels,
      Mountpoint: volumeData(this.store.root, v.name),
      Name: v.name,
      Options: v.options,
      Scope: "local",
    };
  }

  /** `volume ls`: every volume, or those `filters` (`dangling=`, `name=`, `label=`, `driver=`) select. */
  list(opts: { filters?: string[] } = {}): VolumeInspect[] {
    const filters = parseVolumeFilters(opts.filters ?? []);
    let records = this.store.meta.volumes.list();
    if (filters.size > 0) {
      const users = filters.has("dangling") ? volumeUsers(this.store) : new Map<string, string[]>();
      records = records.filter((v) => matchesVolumeFilters(v, filters, (users.get(v.name) ?? []).length));
    }
    return records.map((v) => this.inspect(v.name));
  }

  /** `volume rm`: refused while any container (running or not) mounts it. */
  remove(name: string, opts: { force?: boolean } = {}): void {
    const removed = this.store.meta.transaction(() => {
      if (!this.store.meta.volumes.get(name)) {
        if (opts.force) return false;
        throw noSuchVolume(name);
      }
      const users = volumeUsers(this.store).get(name) ?? [];
      if (users.length > 0) {
        throw new StrataError("IN_USE", `remove ${name}: volume is in use - [${users.join(" ")}]`, {
          details: { volume: name, containers: users },
        });
      }
      this.store.meta.volumes.delete(name);
      return true;
    });
    // `rm -f` of a volume that is not there removes nothing, and logs no destroy.
    if (removed) destroyVolume(this.store, name);
  }

  /**
   * `volume prune`: every volume no container uses (Docker 20.10's rule), and
   * the bytes freed; `anonymousOnly` keeps named ones (`system prune --volumes`, Docker ≥ 23).
   */
  prune(opts: { filters?: string[]; anonymousOnly?: boolean } = {}): {
    deleted: string[];
    reclaimed: number;
  } {
    const filters = parseVolumeFilters(opts.filters ?? [], ["label", "label!"]);
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const v of this.store.meta.volumes.list()) {
      if (!matchesVolumeFilters(v, filters, 0)) continue;
      if (opts.anonymousOnly && !v.anonymous) continue;
      const size = directorySize(volumeData(this.store.root, v.name));
      try {
        this.remove(v.name);
      } catch (err) {
        if (err instanceof StrataError && (err.code === "IN_USE" || err.code === "NOT_FOUND")) continue;
        throw err;
      }
      deleted.push(v.name);
      reclaimed += size;
    }
    return { deleted, reclaimed };
  }

  /** The Local Volumes section of `system df`: real links and sizes, walked now. */
  usage(): VolumeUsage[] {
    const users = volumeUsers(this.store);
    return this.store.meta.volumes
      .list()
      .sort((a, b) => byteOrder(a.name, b.name))
      .map((v) => ({
        name: v.name,
        links: (users.get(v.name) ?? []).length,
        size: directorySize(volumeData(this.store.root, v.name)),
      }));
  }
}
