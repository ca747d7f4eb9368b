/** Docker's container events, recorded in the store (metadata/events.ts) as strata acts. */
import type { ContainerRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";

/** Docker's Actor.Attributes for a container: its labels, image and name (and the action's own). */
export function recordContainerEvent(
  store: Store,
  c: Pick<ContainerRecord, "id" | "name" | "imageName" | "config">,
  action: string,
  extra: Record<string, string> = {},
): void {
  store.meta.events.record({
    type: "container",
    action,
    actorId: c.id,
    attributes: { ...(c.config.Labels ?? {}), image: c.imageName, name: c.name, ...extra },
  });
}
