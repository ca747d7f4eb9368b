/**
 * Docker's JSON for networks (`network inspect`: types.NetworkResource) and
 * for a container's networking (`inspect`: NetworkSettings), as Docker 20.10
 * prints them.
 */
import type { ContainerRecord, EndpointRecord, NetworkRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";
import { containerPorts } from "./container.ts";
import { macFor, parseAddress, parseSubnet } from "./ipv4.ts";
import { bridgeName, netnsPath } from "./netavark.ts";
import { inspectPorts } from "./ports.ts";
import { isDefaultBridge } from "./registry.ts";

export type NetworkInspect = Record<string, unknown>;

const prefixOf = (n: NetworkRecord) => (n.subnet ? (parseSubnet(n.subnet)?.prefix ?? 0) : 0);
const mac = (ip: string | null) => (ip ? macFor(parseAddress(ip) as number) : "");

export function inspectNetwork(store: Store, n: NetworkRecord): NetworkInspect {
  const containers: Record<string, unknown> = {};
  for (const e of store.meta.networks.endpointsOf(n.id)) {
    if (!e.ip) continue;
    const c = store.meta.containers.get(e.containerId);
    if (!c) continue;
    containers[c.id] = {
      Name: c.name,
      EndpointID: e.endpointId,
      MacAddress: mac(e.ip),
      IPv4Address: `${e.ip}/${prefixOf(n)}`,
      IPv6Address: "",
    };
  }
  const options: Record<string, string> =
    n.driver === "bridge" ? { "com.docker.network.bridge.name": bridgeName(n.id) } : {};
  if (isDefaultBridge(n)) options["com.docker.network.bridge.default_bridge"] = "true";
  return {
    Name: n.name,
    Id: n.id,
    Created: n.createdAt,
    Scope: "local",
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: {
      Driver: "default",
      Options: n.driver === "bridge" && !isDefaultBridge(n) ? {} : null,
      Config: n.subnet ? [{ Subnet: n.subnet, Gateway: n.gateway }] : [],
    },
    Internal: n.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: "" },
    ConfigOnly: false,
    Containers: containers,
    Options: options,
    Labels: n.labels,
  };
}

function endpointSettings(c: ContainerRecord, e: EndpointRecord, n: NetworkRecord | undefined) {
  const running = e.ip !== null;
  const userDefined = n !== undefined && !isDefaultBridge(n);
  return {
    IPAMConfig: e.requestedIp ? { IPv4Address: e.requestedIp } : null,
    Links: null,
    Aliases: userDefined ? [c.id.slice(0, 12), ...e.aliases] : null,
    NetworkID: e.networkId,
    EndpointID: running ? e.endpointId : "",
    Gateway: running ? (n?.gateway ?? "") : "",
    IPAddress: e.ip ?? "",
    IPPrefixLen: running && n ? prefixOf(n) : 0,
    IPv6Gateway: "",
    GlobalIPv6Address: "",
    GlobalIPv6PrefixLen: 0,
    MacAddress: mac(e.ip),
    DriverOpts: null,
  };
}

/** `NetworkSettings` of a container; the top-level address fields describe the default bridge only, as Docker's. */
export function containerNetworkSettings(store: Store, c: ContainerRecord, mode: string) {
  const { exposed, published } = containerPorts(store, c.id);
  const endpoints = store.meta.networks.endpointsOfContainer(c.id);
  const networks: Record<string, unknown> = {};
  let top = endpointSettings(c, { ip: null } as EndpointRecord, undefined);
  for (const e of endpoints) {
    const n = store.meta.networks.get(e.networkId);
    const settings = endpointSettings(c, e, n);
    networks[n?.name ?? e.networkId] = settings;
    if (n && isDefaultBridge(n)) top = settings;
  }
  if (endpoints.length === 0 && (mode === "host" || mode === "none")) {
    const n = store.meta.networks.getByName(mode);
    networks[mode] = {
      ...endpointSettings(c, { ip: null } as EndpointRecord, undefined),
      NetworkID: n?.id ?? "",
    };
  }
  const running = endpoints.some((e) => e.ip !== null);
  return {
    Bridge: "",
    SandboxID: running ? c.id : "",
    HairpinMode: false,
    LinkLocalIPv6Address: "",
    LinkLocalIPv6PrefixLen: 0,
    Ports: inspectPorts(exposed, published),
    SandboxKey: running ? netnsPath(c.id) : "",
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: top.EndpointID,
    Gateway: top.Gateway,
    GlobalIPv6Address: "",
    GlobalIPv6PrefixLen: 0,
    IPAddress: top.IPAddress,
    IPPrefixLen: top.IPPrefixLen,
    IPv6Gateway: "",
    MacAddress: top.MacAddress,
    Networks: networks,
  };
}
