/**
 * `system check` for networking: what a crash could leave behind, reported
 * (and, with `repair`, undone): an address or published port still held by
 * a container that does not run, or a named network namespace of one. A
 * repair also removes the bridges and rules of stores that were deleted.
 */
import { existsSync, readdirSync } from "node:fs";
import type { Store } from "../store/index.ts";
import { teardownContainer } from "./container.ts";
import { netnsName, removeNetwork } from "./netavark.ts";
import { releaseSubnet, spareAddress, staleClaims } from "./pool.ts";

const running = (state: string) => state === "running" || state === "paused" || state === "restarting";

export async function checkNetworking(store: Store, opts: { repair?: boolean }): Promise<string[]> {
  const problems: string[] = [];
  const namespaces = new Set(existsSync("/run/netns") ? readdirSync("/run/netns") : []);
  for (const c of store.meta.containers.list()) {
    if (running(c.state)) continue;
    const held = store.meta.networks.endpointsOfContainer(c.id).filter((e) => e.ip !== null);
    const ports = store.meta.networks.getNetworking(c.id)?.ports ?? null;
    const netns = namespaces.has(netnsName(c.id));
    const what = [
      ...held.map((e) => `address ${e.ip}`),
      ...(ports ? ["published ports"] : []),
      ...(netns ? ["network namespace"] : []),
    ];
    if (what.length === 0) continue;
    problems.push(`container ${c.id}: ${c.state} but still holds ${what.join(", ")}`);
    if (opts.repair) await teardownContainer(store, c);
  }
  // Bridges of stores deleted without `network rm` are the machine's, not this store's problem:
  // the next subnet claim removes them, and so does a repair.
  if (opts.repair) {
    for (const claim of staleClaims()) {
      await removeNetwork(`${claim.root}/networks`, claim.network, spareAddress(claim.network.subnet));
      releaseSubnet(claim.network.subnet);
    }
  }
  return problems;
}
