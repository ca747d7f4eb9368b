/**
 * Docker's volume events, recorded in the store as strata acts: create and
 * destroy (attributes: the driver), mount at a container's start (driver,
 * container, destination, read/write, propagation) and unmount when its run
 * ends (driver, container), as moby's LogVolumeEvent calls give them.
 */
import type { ContainerConfig } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";

export function recordVolumeEvent(
  store: Store,
  name: string,
  action: "create" | "destroy" | "mount" | "unmount",
  attributes: Record<string, string> = {},
): void {
  store.meta.events.record({
    type: "volume",
    action,
    actorId: name,
    attributes: { driver: "local", ...attributes },
  });
}

/** `mount` or `unmount` of each volume a container mounts (binds and tmpfs have none). */
export function recordMounts(
  store: Store,
  c: { id: string; config: Pick<ContainerConfig, "Mounts"> },
  action: "mount" | "unmount",
): void {
  for (const m of c.config.Mounts) {
    if (m.Type !== "volume") continue;
    const attributes: Record<string, string> =
      action === "mount"
        ? {
            container: c.id,
            destination: m.Destination,
            "read/write": String(m.RW),
            propagation: m.Propagation,
          }
        : { container: c.id };
    recordVolumeEvent(store, m.Source, action, attributes);
  }
}
