/**
 * The network service: `network create|ls|inspect|rm|prune|connect|disconnect`
 * as typed calls. Containers are reached through `NetworkContainers` (the
 * container service implements it), so a connect or disconnect happens under
 * the container's own lock, against its settled state.
 */

import { writeFileSync } from "node:fs";
import { StrataError } from "../errors.ts";
import type { ContainerRecord, NetworkRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";
import { randomBytes } from "../sys/builtins.ts";
import { recordNetworkEvent } from "./events.ts";
import type { NetworkInspect } from "./inspect.ts";
import type { NetworkCreateOptions } from "./registry.ts";

/**
 * The machinery (netavark, address pools, the networks' registry) loads on
 * first use: the engine makes this service for every command, and most
 * (`ps`, `images`, `volume ls`) never touch a network.
 */
function parts() {
  return import("./parts.ts");
}

export interface NetworkContainers {
  /** Runs `fn` holding the container's lock, with its settled record. */
  locked<T>(nameOrId: string, fn: (c: ContainerRecord, running: boolean) => Promise<T>): Promise<T>;
  /** Where the container's bind-mounted resolv.conf is. */
  resolvConfPath(id: string): string;
}

export interface NetworkSummary {
  id: string;
  name: string;
  driver: string;
  scope: "local";
  createdAt: string;
  internal: boolean;
  labels: Record<string, string>;
}

export interface ConnectOptions {
  aliases?: string[];
  ip?: string;
}

const daemon = (code: "CONFLICT" | "INVALID_ARGUMENT", message: string) =>
  new StrataError(code, message, { details: { daemon: true } });

export class NetworkService {
  constructor(
    private readonly store: Store,
    private readonly containers: NetworkContainers,
  ) {}

  async create(opts: NetworkCreateOptions): Promise<string> {
    const { createNetwork } = await parts();
    const n = await createNetwork(this.store, opts);
    recordNetworkEvent(this.store, n, "create");
    return n.id;
  }

  /** Every network, or those `filters` select (`driver=`, `name=`, `label=`, `type=custom`…), by name. */
  async list(opts: { filters?: string[] } = {}): Promise<NetworkSummary[]> {
    const { defaultNetworks, matchesNetworkFilters, parseNetworkFilters } = await parts();
    await defaultNetworks(this.store);
    const filters = parseNetworkFilters(opts.filters ?? []);
    return this.store.meta.networks
      .list()
      .filter((n) => filters.size === 0 || matchesNetworkFilters(n, filters, this.active(n)))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((n) => ({
        id: n.id,
        name: n.name,
        driver: n.driver,
        scope: "local",
        createdAt: n.createdAt,
        internal: n.internal,
        labels: n.labels,
      }));
  }

  async get(nameOrId: string): Promise<NetworkRecord> {
    const { defaultNetworks, findNetwork } = await parts();
    await defaultNetworks(this.store);
    return findNetwork(this.store, nameOrId, "cli");
  }

  async inspect(nameOrId: string): Promise<NetworkInspect> {
    const { inspectNetwork } = await parts();
    return inspectNetwork(this.store, await this.get(nameOrId));
  }

  /** A container's `NetworkSettings.Networks` as inspect gives them (the API's container list has them too). */
  async containerNetworks(c: ContainerRecord): Promise<Record<string, unknown>> {
    const { containerNetworkSettings } = await parts();
    return containerNetworkSettings(this.store, c, c.config.NetworkMode).Networks;
  }

  private active(n: NetworkRecord): boolean {
    return this.store.meta.networks.endpointsOf(n.id).some((e) => e.ip !== null);
  }

  /** `network rm`: refused for predefined networks and while a running container uses it. */
  async remove(nameOrId: string): Promise<string> {
    const n = await this.get(nameOrId);
    const { PREDEFINED, configDir, driverNetwork, releaseSubnet, removeNetwork, spareAddress } =
      await parts();
    if (PREDEFINED.has(n.name)) {
      throw new StrataError("CONFLICT", `${n.name} is a pre-defined network and cannot be removed`, {
        details: { daemon: true },
      });
    }
    if (this.active(n)) {
      throw new StrataError(
        "IN_USE",
        `error while removing network: network ${n.name} id ${n.id} has active endpoints`,
      );
    }
    await removeNetwork(configDir(this.store), driverNetwork(n), spareAddress(n.subnet as string));
    this.store.meta.networks.delete(n.id);
    releaseSubnet(n.subnet as string);
    recordNetworkEvent(this.store, n, "destroy");
    return n.id;
  }

  /** `network prune`: every user network no running container uses (`label=`, `until=` narrow it); their names. */
  async prune(opts: { filters?: string[] } = {}): Promise<string[]> {
    const { PREDEFINED, matchesNetworkFilters, parseNetworkFilters } = await parts();
    const filters = parseNetworkFilters(opts.filters ?? [], true);
    const removed: string[] = [];
    for (const n of await this.list()) {
      if (PREDEFINED.has(n.name)) continue;
      const record = this.store.meta.networks.get(n.id);
      if (!record || !matchesNetworkFilters(record, filters, false)) continue;
      try {
        await this.remove(n.id);
        removed.push(n.name);
      } catch (err) {
        if (err instanceof StrataError && (err.code === "IN_USE" || err.code === "NOT_FOUND")) continue;
        throw err;
      }
    }
    return removed;
  }

  /** `network connect`: a running container gets its new interface at once, a stopped one at its next start. */
  async connect(network: string, container: string, opts: ConnectOptions = {}): Promise<void> {
    const {
      allocate,
      checkRequestedIp,
      configDir,
      defaultNetworks,
      driverEndpoint,
      findNetwork,
      isDefaultBridge,
      netnsPath,
      resolvConfFor,
      settingsOf,
      setup: driverSetup,
    } = await parts();
    await defaultNetworks(this.store);
    const n = findNetwork(this.store, network, "run");
    await this.containers.locked(container, async (c, running) => {
      const mode = c.config.NetworkMode;
      if (mode === "none" || mode === "host" || n.driver !== "bridge") {
        throw daemon(
          "CONFLICT",
          n.driver === "host" || mode === "host"
            ? "container cannot be disconnected from host network or connected to host network"
            : "container cannot be connected to multiple networks with one of the networks in private (none) mode",
        );
      }
      const nets = this.store.meta.networks;
      const existing = nets.endpointsOfContainer(c.id);
      if (existing.some((e) => e.networkId === n.id)) {
        throw daemon("CONFLICT", `endpoint with name ${c.name} already exists in network ${n.name}`);
      }
      const userDefined = !isDefaultBridge(n);
      if (!userDefined && (opts.aliases ?? []).length > 0) {
        throw daemon(
          "INVALID_ARGUMENT",
          "network-scoped alias is supported only for containers in user defined networks",
        );
      }
      const requestedIp = opts.ip ? checkRequestedIp(n, opts.ip, userDefined) : null;
      const position = existing.reduce((m, e) => Math.max(m, e.position + 1), 0);
      const iface = `eth${existing.length}`;
      this.store.meta.transaction(() => {
        nets.insertEndpoint({
          networkId: n.id,
          containerId: c.id,
          endpointId: randomBytes(32).toString("hex"),
          position,
          aliases: opts.aliases ?? [],
          requestedIp,
          ip: running ? allocate(this.store, n, requestedIp) : null,
          interface: running ? iface : null,
        });
      });
      if (!running) return;
      const e = nets.endpointsOfContainer(c.id).find((x) => x.networkId === n.id);
      const endpoint = e && driverEndpoint(this.store, c, e);
      try {
        if (!endpoint) throw new StrataError("INTERNAL", "the new endpoint vanished");
        await driverSetup(configDir(this.store), {
          id: c.id,
          name: c.name,
          netns: netnsPath(c.id),
          endpoints: [endpoint],
          ports: [],
          dnsServers: settingsOf(this.store, c.id)?.dns ?? [],
        });
      } catch (err) {
        nets.deleteEndpoint(n.id, c.id);
        throw err;
      }
      // Names on the new network resolve at once: its DNS server first (rewritten in place, it is bind-mounted).
      const settings = settingsOf(this.store, c.id);
      if (userDefined && settings) {
        const networks = nets
          .endpointsOfContainer(c.id)
          .map((x) => nets.get(x.networkId))
          .filter((x): x is NetworkRecord => x !== undefined);
        writeFileSync(this.containers.resolvConfPath(c.id), resolvConfFor(networks, settings));
      }
      // Docker logs a connect when the container joins: now if it runs, at its start otherwise.
      recordNetworkEvent(this.store, n, "connect", c.id);
    });
  }

  /** `network disconnect`: the interface leaves a running container at once. */
  async disconnect(network: string, container: string, _opts: { force?: boolean } = {}): Promise<void> {
    const { defaultNetworks, findNetwork, teardownEndpoint } = await parts();
    await defaultNetworks(this.store);
    const n = findNetwork(this.store, network, "run");
    await this.containers.locked(container, async (c, running) => {
      const nets = this.store.meta.networks;
      const e = nets.endpointsOfContainer(c.id).find((x) => x.networkId === n.id);
      if (!e) throw daemon("CONFLICT", `container ${c.id} is not connected to network ${n.name}`);
      // Its veth, DNS names and, on the network of the published ports, their rules and host ports.
      if (running) await teardownEndpoint(this.store, c, e);
      nets.deleteEndpoint(n.id, c.id);
      recordNetworkEvent(this.store, n, "disconnect", c.id);
    });
  }
}
