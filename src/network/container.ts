/**
 * A container's networking over its life: `plan` at create (which networks,
 * aliases, addresses and ports it asks for, checked and recorded with the
 * container), `setup` at start (addresses allocated in the store, host ports
 * bound, a named network namespace, netavark's plumbing) and `teardown`
 * wherever an ended run is settled (everything setup made, undone; safe to
 * repeat, and after a reboot or a killed monitor).
 */
import { join } from "node:path";
import { StrataError } from "../errors.ts";
import type { ContainerRecord, EndpointRecord, NetworkRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";
import { randomBytes } from "../sys/builtins.ts";
import { holdPorts, spawnPortHolder } from "./hostports.ts";
import { contains, formatAddress, macFor, parseAddress, parseSubnet, size } from "./ipv4.ts";
import {
  bridgeName,
  createNetns,
  type DriverContainer,
  type DriverNetwork,
  deleteNetns,
  setup as driverSetup,
  teardown as driverTeardown,
  netnsPath,
  networkReady,
} from "./netavark.ts";
import { type PortBinding, type PublishedPort, parsePortKey, portKey } from "./ports.ts";
import { proxyIpv6, stopProxiesAndWait } from "./proxy.ts";
import { DEFAULT_NETWORK, defaultNetworks, findNetwork, isDefaultBridge } from "./registry.ts";
import { containerResolvConf } from "./resolv.ts";
import { attachVeth } from "./veth.ts";

/** What a container asks of networking at create (library form of Docker's flags). */
export interface NetworkingOptions {
  /** `none`, `host`, `bridge`, or a user network's name or ID; the default bridge when omitted. */
  network?: string;
  networkAliases?: string[];
  /** `--ip`: an address on a user network. */
  ip?: string;
  /** `-p`, parsed by parsePublish. */
  ports?: PortBinding[];
  /** `-P`: every exposed port on a free ephemeral host port. */
  publishAll?: boolean;
  /** `--expose`, added to the image's ExposedPorts. */
  expose?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** `--add-host name:ip`. */
  extraHosts?: string[];
}

/** What is kept in the store for the container (container_networking.settings). */
export interface NetworkingSettings {
  ports: PortBinding[];
  publishAll: boolean;
  exposed: string[];
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  extraHosts: string[];
}

/** The running part (container_networking.ports): host ports held, and the processes serving them. */
interface RunningPorts {
  published: PublishedPort[];
  /** The IPv6 proxies and the port holder (see hostports.ts), marked as this container's. */
  proxies: number[];
}

export interface NetworkPlan {
  /** Docker's HostConfig.NetworkMode: `default`, `none`, `host`, `bridge` or the network's name. */
  mode: string;
  /** Records the container's endpoint and settings; called inside create's transaction. */
  record(containerId: string): void;
}

const daemonError = (code: "NOT_FOUND" | "INVALID_ARGUMENT" | "CONFLICT", message: string) =>
  new StrataError(code, message, { details: { daemon: true, exitCode: 125 } });

function parseExtraHost(entry: string): string {
  const i = entry.indexOf(":");
  const host = entry.slice(0, i);
  const ip = entry.slice(i + 1);
  if (i <= 0 || ip === "" || (parseAddress(ip) === null && !ip.includes(":"))) {
    throw new StrataError(
      "INVALID_ARGUMENT",
      `invalid argument "${entry}" for "--add-host" flag: invalid IP address in add-host: "${ip}"`,
      {
        details: { exitCode: 125, prefix: "" },
      },
    );
  }
  return `${ip}\t${host}`;
}

/** Checks create's networking options against the store's networks; nothing is written until `record`. */
export async function planNetworking(
  store: Store,
  opts: NetworkingOptions,
  imageExposed: string[],
): Promise<NetworkPlan> {
  const requested = opts.network ?? "default";
  const settings: NetworkingSettings = {
    ports: opts.ports ?? [],
    publishAll: opts.publishAll ?? false,
    exposed: [...new Set([...imageExposed, ...(opts.expose ?? [])])].filter((k) => parsePortKey(k) !== null),
    dns: opts.dns ?? [],
    dnsSearch: opts.dnsSearch ?? [],
    dnsOptions: opts.dnsOptions ?? [],
    extraHosts: (opts.extraHosts ?? []).map(parseExtraHost),
  };
  for (const b of settings.ports)
    if (!settings.exposed.includes(portKey(b))) settings.exposed.push(portKey(b));
  if (requested === "none" || requested === "host") {
    return {
      mode: requested,
      record: (id) =>
        store.meta.networks.putNetworking(id, { ...settings, ports: [], publishAll: false } as never),
    };
  }
  if (requested.startsWith("container:")) {
    throw daemonError("INVALID_ARGUMENT", "--network container:<name|id> is not supported by strata");
  }
  await defaultNetworks(store);
  const network = findNetwork(store, requested === "default" ? DEFAULT_NETWORK : requested, "run");
  if (network.driver !== "bridge") {
    return { mode: network.name, record: (id) => store.meta.networks.putNetworking(id, settings as never) };
  }
  const userDefined = !isDefaultBridge(network);
  if (!userDefined && (opts.networkAliases ?? []).length > 0) {
    throw daemonError(
      "INVALID_ARGUMENT",
      "network-scoped alias is supported only for containers in user defined networks",
    );
  }
  const ip = opts.ip ? checkRequestedIp(network, opts.ip, userDefined) : null;
  return {
    mode: requested === "default" ? "default" : network.name,
    record(containerId) {
      store.meta.networks.putNetworking(containerId, settings as never);
      store.meta.networks.insertEndpoint({
        networkId: network.id,
        containerId,
        endpointId: randomBytes(32).toString("hex"),
        position: 0,
        aliases: opts.networkAliases ?? [],
        requestedIp: ip,
        ip: null,
        interface: null,
      });
    },
  };
}

export function checkRequestedIp(network: NetworkRecord, ip: string, userDefined: boolean): string {
  if (!userDefined) {
    throw daemonError(
      "INVALID_ARGUMENT",
      "user specified IP address is supported on user defined networks only",
    );
  }
  const addr = parseAddress(ip);
  if (addr === null) throw daemonError("INVALID_ARGUMENT", `invalid IPv4 address: ${ip}`);
  const subnet = parseSubnet(network.subnet as string);
  if (!subnet || !contains(subnet, addr)) {
    throw daemonError(
      "INVALID_ARGUMENT",
      `Invalid address ${ip}: It does not belong to any of this network's subnets`,
    );
  }
  return ip;
}

/** The lowest free address of the network (the gateway, network and broadcast addresses excluded). */
export function allocate(store: Store, network: NetworkRecord, requestedIp: string | null): string {
  const used = new Set(store.meta.networks.addressesIn(network.id));
  if (requestedIp) {
    if (used.has(requestedIp)) throw daemonError("CONFLICT", "Address already in use");
    return requestedIp;
  }
  const subnet = parseSubnet(network.subnet as string);
  if (!subnet) throw new StrataError("STORE_CORRUPT", `network ${network.name} has no subnet`);
  used.add(network.gateway as string);
  for (let n = subnet.base + 1; n < subnet.base + size(subnet) - 1; n++) {
    const ip = formatAddress(n);
    if (!used.has(ip)) return ip;
  }
  throw daemonError("CONFLICT", `no available IPv4 addresses on network ${network.name}`);
}

export function settingsOf(store: Store, containerId: string): NetworkingSettings | undefined {
  return store.meta.networks.getNetworking(containerId)?.settings as NetworkingSettings | undefined;
}

function runningPorts(store: Store, containerId: string): RunningPorts {
  const raw = store.meta.networks.getNetworking(containerId)?.ports as unknown as
    | RunningPorts
    | null
    | undefined;
  return raw ?? { published: [], proxies: [] };
}

export const configDir = (store: Store) => join(store.root, "networks");

export function driverNetwork(n: NetworkRecord): DriverNetwork {
  return {
    id: n.id,
    subnet: n.subnet as string,
    gateway: n.gateway as string,
    internal: n.internal,
    dns: !isDefaultBridge(n),
  };
}

export function driverEndpoint(store: Store, c: ContainerRecord, e: EndpointRecord): DriverEndpoint | null {
  const n = store.meta.networks.get(e.networkId);
  if (!n || !e.ip) return null;
  const names = isDefaultBridge(n) ? [] : [c.name, c.id.slice(0, 12), ...e.aliases];
  return {
    network: driverNetwork(n),
    ip: e.ip,
    mac: macFor(parseAddress(e.ip) as number),
    iface: e.interface ?? "eth0",
    names,
  };
}
type DriverEndpoint = DriverContainer["endpoints"][number];

/** What start needs from networking: the namespace to join, /etc contents, the published ports' holder. */
export interface Attachment {
  netns: string;
  /** `ip\tname` lines for /etc/hosts after libnetwork's defaults. */
  hosts: string[];
  resolvConf: string;
  /** netavark's work, running while the monitor creates the container; awaited before it starts. */
  plumbing: Promise<void>;
  /**
   * Hands the sockets holding the published host ports to a holder process
   * that lives as long as the container's monitor (`monitorPid`), or until
   * teardown or a disconnect stops it. Nothing to do without published ports.
   */
  hold(monitorPid: number): void;
  /** Closes strata's own copies of the sockets (after `hold`, or on failure). */
  release(): void;
}

function hostsLines(c: ContainerRecord, settings: NetworkingSettings, primaryIp: string | null): string[] {
  const hostname = c.config.Hostname;
  const lines = [...settings.extraHosts];
  if (primaryIp) lines.push(`${primaryIp}\t${hostname}`);
  return lines;
}

/**
 * Allocates, binds and plumbs the container's networks (none when it has no
 * endpoints: `none`, `host`). Anything done is undone when a later step fails.
 */
export async function setupContainer(store: Store, c: ContainerRecord): Promise<Attachment | null> {
  const endpoints = store.meta.networks.endpointsOfContainer(c.id);
  const settings = settingsOf(store, c.id);
  if (endpoints.length === 0 || !settings) return null;
  // Addresses first, in one transaction: concurrent starts never get the same one.
  const networks = store.meta.transaction(() =>
    endpoints.map((e, i) => {
      const n = store.meta.networks.get(e.networkId);
      if (!n) throw daemonError("NOT_FOUND", `network ${e.networkId} not found`);
      const ip = allocate(store, n, e.requestedIp);
      store.meta.networks.setEndpointAddress(n.id, c.id, ip, `eth${i}`);
      return n;
    }),
  );
  const ready = store.meta.networks.endpointsOfContainer(c.id);
  let held: Awaited<ReturnType<typeof holdPorts>> | undefined;
  try {
    const bindings = [...settings.ports];
    if (settings.publishAll) {
      for (const key of settings.exposed) {
        const p = parsePortKey(key);
        if (p && !bindings.some((b) => portKey(b) === key)) bindings.push({ ...p, hostIp: "", hostPort: 0 });
      }
    }
    held = await holdPorts(bindings, c.name, (ready[0] as EndpointRecord).endpointId);
    const netns = await createNetns(c.id);
    const driver = driverContainer(store, c, ready, held.published, settings);
    // The plumbing (IPv6 proxies) and `hold` (the holder) each add to what is recorded, in either order.
    const running: RunningPorts = { published: held.published, proxies: [] };
    const record = () =>
      store.meta.networks.setPorts(c.id, {
        published: sortPublished(running.published),
        proxies: running.proxies,
      } as never);
    record();
    const primaryIp = (ready[0] as EndpointRecord).ip;
    const plumbing = plumb(store, driver).then(async () => {
      const proxies = await proxyIpv6(c.id, bindings, held?.published ?? [], primaryIp as string);
      running.published = [...running.published, ...proxies.published];
      running.proxies.push(...proxies.pids);
      record();
    });
    plumbing.catch(() => {});
    const h = held;
    return {
      netns,
      hosts: hostsLines(c, settings, primaryIp),
      resolvConf: resolvConfFor(networks, settings),
      plumbing,
      hold(monitorPid) {
        if (h.fds.length === 0) return;
        running.proxies.push(spawnPortHolder(c.id, h.fds, monitorPid));
        record();
      },
      release: () => h.close(),
    };
  } catch (err) {
    held?.close();
    await teardownContainer(store, c).catch(() => {});
    throw err;
  }
}

/**
 * netavark's setup, or, for one endpoint with nothing outside its namespace
 * (no published port, no DNS) on a bridge netavark has already set up, only
 * the endpoint's veth: netavark would re-check every rule of the network
 * with ~20 iptables runs (most of what networking added to `run --rm`).
 * Teardown, deleting the namespace, is the same for both.
 */
function plumb(store: Store, driver: DriverContainer): Promise<void> {
  const [e, ...more] = driver.endpoints;
  if (!e || more.length > 0 || driver.ports.length > 0 || e.network.dns || !networkReady(e.network.id)) {
    return driverSetup(configDir(store), driver);
  }
  // A fresh host-side name: the kernel frees the veth of a deleted namespace a moment later.
  const host = `vc${randomBytes(6).toString("hex")}`;
  return attachVeth(driver.netns, host, bridgeName(e.network.id), {
    ip: e.ip,
    mac: e.mac,
    subnet: e.network.subnet,
    gateway: e.network.gateway,
  });
}

/** IPv4 before IPv6 for each port, as Docker lists them. */
function sortPublished(list: PublishedPort[]): PublishedPort[] {
  return [...list].sort(
    (a, b) =>
      a.containerPort - b.containerPort ||
      (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0) ||
      Number(a.hostIp.includes(":")) - Number(b.hostIp.includes(":")),
  );
}

function driverContainer(
  store: Store,
  c: ContainerRecord,
  endpoints: EndpointRecord[],
  published: PublishedPort[],
  settings: NetworkingSettings,
): DriverContainer {
  return {
    id: c.id,
    name: c.name,
    netns: netnsPath(c.id),
    endpoints: endpoints
      .map((e) => driverEndpoint(store, c, e))
      .filter((e): e is DriverEndpoint => e !== null),
    ports: published
      .filter((p) => !p.hostIp.includes(":"))
      .map((p) => ({
        hostIp: p.hostIp === "0.0.0.0" ? "" : p.hostIp,
        containerPort: p.containerPort,
        hostPort: p.hostPort,
        protocol: p.protocol,
      })),
    dnsServers: settings.dns,
  };
}

/**
 * On a user network aardvark-dns answers on the gateway (as with Podman) and
 * forwards other names to the host's servers (or --dns); on the default
 * bridge only, the host's servers or --dns are used directly.
 */
export function resolvConfFor(networks: NetworkRecord[], settings: NetworkingSettings): string {
  const dns = networks.find((n) => !isDefaultBridge(n));
  const servers = dns ? [dns.gateway as string] : settings.dns;
  return containerResolvConf({ servers, search: settings.dnsSearch, options: settings.dnsOptions });
}

/**
 * Undoes setup: netavark's rules and DNS entries, the namespace (and with it
 * the veths), the IPv6 proxies, then the store's addresses and ports.
 * Repeatable; a namespace that is already gone (reboot) skips the kernel part.
 */
export async function teardownContainer(store: Store, c: ContainerRecord): Promise<void> {
  const endpoints = store.meta.networks.endpointsOfContainer(c.id).filter((e) => e.ip !== null);
  const running = runningPorts(store, c.id);
  if (endpoints.length === 0 && running.proxies.length === 0) {
    await deleteNetns(c.id);
    return;
  }
  const settings = settingsOf(store, c.id);
  await stopProxiesAndWait(c.id, running.proxies);
  if (settings) {
    await driverTeardown(configDir(store), driverContainer(store, c, endpoints, running.published, settings));
  }
  await deleteNetns(c.id);
  store.meta.transaction(() => {
    for (const e of endpoints) store.meta.networks.setEndpointAddress(e.networkId, c.id, null, null);
    store.meta.networks.setPorts(c.id, null);
  });
}

/**
 * Undoes one endpoint of a running container (`network disconnect`): its
 * veth, its DNS entries and, on the network that carries the published
 * ports, their DNAT rules, proxies and holder, so the host ports are free
 * again (Docker removes the endpoint's port mappings).
 */
export async function teardownEndpoint(store: Store, c: ContainerRecord, e: EndpointRecord): Promise<void> {
  const endpoint = driverEndpoint(store, c, e);
  if (!endpoint) return;
  const running = runningPorts(store, c.id);
  const settings = settingsOf(store, c.id);
  // Ports are published on the container's first endpoint (setupContainer).
  const first = store.meta.networks.endpointsOfContainer(c.id).find((x) => x.ip !== null);
  const carriesPorts = first?.networkId === e.networkId && running.published.length > 0;
  const driver: DriverContainer = {
    ...driverContainer(store, c, [e], carriesPorts ? running.published : [], settings ?? emptySettings),
    endpoints: [endpoint],
  };
  await driverTeardown(configDir(store), driver, { all: true });
  if (carriesPorts) {
    await stopProxiesAndWait(c.id, running.proxies);
    store.meta.networks.setPorts(c.id, null);
  }
}

const emptySettings: NetworkingSettings = {
  ports: [],
  publishAll: false,
  exposed: [],
  dns: [],
  dnsSearch: [],
  dnsOptions: [],
  extraHosts: [],
};

/** Published ports of a running container, and every exposed one (for ps, port, inspect). */
export function containerPorts(
  store: Store,
  containerId: string,
): { exposed: string[]; published: PublishedPort[] } {
  const settings = settingsOf(store, containerId);
  return { exposed: settings?.exposed ?? [], published: runningPorts(store, containerId).published };
}
