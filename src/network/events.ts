/**
 * Docker's network events (create, destroy, connect, disconnect), recorded in
 * the store as strata acts. Actor: the network's ID; attributes: its name and
 * type (the driver), and for connect/disconnect the container's ID (moby's
 * LogNetworkEventWithAttributes).
 */
import type { NetworkRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";

export function recordNetworkEvent(
  store: Store,
  n: Pick<NetworkRecord, "id" | "name" | "driver">,
  action: "create" | "destroy" | "connect" | "disconnect",
  containerId?: string,
): void {
  store.meta.events.record({
    type: "network",
    action,
    actorId: n.id,
    attributes: { ...(containerId ? { container: containerId } : {}), name: n.name, type: n.driver },
  });
}

/** The networks a started container is plumbed into (its endpoints with an address), in order. */
export function connectedNetworks(store: Store, containerId: string): NetworkRecord[] {
  return store.meta.networks
    .endpointsOfContainer(containerId)
    .filter((e) => e.ip !== null)
    .map((e) => store.meta.networks.get(e.networkId))
    .filter((n): n is NetworkRecord => n !== undefined);
}
