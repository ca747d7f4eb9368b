/**
 * The kernel plumbing, done by netavark (Podman's network tool, Debian's
 * `netavark` package) from one JSON document per call: the bridge, the veth
 * pair into the container's namespace, its address and routes, masquerading,
 * forwarding rules and port DNAT, and aardvark-dns for names on user
 * networks. strata keeps the state (which network, which address, which
 * ports) in its store and hands netavark complete answers; netavark's own
 * address allocation is never used.
 *
 * Machine-wide facts this file owns:
 * - one lock (/run/strata/network.lock) around every netavark call: netavark
 *   creates shared chains (NETAVARK_FORWARD…) check-then-create, and a
 *   teardown that empties a bridge deletes it, so two calls from different
 *   stores must not interleave;
 * - each network's netavark name, bridge and chains derive from its random ID
 *   (`strata-<id>`, `st-<id>`), so two stores never share one;
 * - an anchor (a port `sa-<id>`, one end of a veth pair) keeps a network's bridge and its
 *   rules alive between containers, as docker0 lives: netavark deletes a
 *   bridge whose last port leaves, which costs ~190 ms of a `run --rm`.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors.ts";
import { FileLock } from "../metadata/index.ts";
import { randomBytes } from "../sys/builtins.ts";
import { MNT_DETACH, native } from "../sys/index.ts";
import { runTool } from "../sys/process.ts";

const NETAVARK = ["/usr/lib/podman/netavark", "/usr/libexec/podman/netavark"];
const AARDVARK = ["/usr/lib/podman/aardvark-dns", "/usr/libexec/podman/aardvark-dns"];
export const RUN_DIR = "/run/strata";
const NETNS_DIR = "/run/netns";

/** A network as netavark needs to know it. */
export interface DriverNetwork {
  id: string;
  subnet: string;
  gateway: string;
  internal: boolean;
  /** Names resolve (aardvark-dns) on user networks, not on the default bridge. */
  dns: boolean;
}

export interface DriverEndpoint {
  network: DriverNetwork;
  ip: string;
  mac: string;
  iface: string;
  /** Names this container answers to on the network. */
  names: string[];
}

export interface DriverPort {
  hostIp: string;
  containerPort: number;
  hostPort: number;
  protocol: string;
}

export interface DriverContainer {
  id: string;
  name: string;
  netns: string;
  endpoints: DriverEndpoint[];
  /** Published on the first endpoint's network. */
  ports: DriverPort[];
  dnsServers: string[];
}

export const netavarkName = (networkId: string) => `strata-${networkId.slice(0, 12)}`;
export const bridgeName = (networkId: string) => `st-${networkId.slice(0, 12)}`;
const anchorName = (networkId: string) => `sa-${networkId.slice(0, 12)}`;
export const netnsName = (containerId: string) => `strata-${containerId.slice(0, 16)}`;
export const netnsPath = (containerId: string) => join(NETNS_DIR, netnsName(containerId));

function binary(candidates: string[], pkg: string): string {
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new StrataError("RUNTIME_MISSING", `${candidates[0]} is not installed`, {
      hint: `apt-get install ${pkg}`,
    });
  }
  return found;
}

/** Runs `fn` holding the machine-wide network lock. */
export async function withNetworkLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = new FileLock(join(RUN_DIR, "network.lock"));
  await lock.acquire("exclusive");
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/** netavark's NetworkOptions document (netavark src/network/types.rs, 1.4). */
function document(c: DriverContainer, withPorts: boolean) {
  const networks: Record<string, unknown> = {};
  const info: Record<string, unknown> = {};
  for (const e of c.endpoints) {
    const name = netavarkName(e.network.id);
    networks[name] = {
      static_ips: [e.ip],
      ...(e.mac ? { static_mac: e.mac } : {}),
      aliases: e.names,
      interface_name: e.iface,
    };
    info[name] = {
      name,
      id: e.network.id,
      driver: "bridge",
      network_interface: bridgeName(e.network.id),
      subnets: [{ subnet: e.network.subnet, gateway: e.network.gateway }],
      ipv6_enabled: false,
      internal: e.network.internal,
      dns_enabled: e.network.dns,
      ipam_options: { driver: "host-local" },
      options: {},
    };
  }
  const ports = withPorts
    ? c.ports.map((p) => ({
        host_ip: p.hostIp,
        container_port: p.containerPort,
        host_port: p.hostPort,
        range: 1,
        protocol: p.protocol,
      }))
    : [];
  return {
    container_id: c.id,
    container_name: c.name,
    port_mappings: ports,
    networks,
    network_info: info,
    dns_servers: c.dnsServers.length > 0 ? c.dnsServers : undefined,
  };
}

async function netavark(
  configDir: string,
  verb: "setup" | "teardown",
  c: DriverContainer,
  withPorts: boolean,
) {
  mkdirSync(configDir, { recursive: true });
  const args = ["--config", configDir, "--aardvark-binary", binary(AARDVARK, "aardvark-dns"), verb, c.netns];
  const { code, stdout, stderr } = await runTool(
    binary(NETAVARK, "netavark"),
    args,
    JSON.stringify(document(c, withPorts)),
  );
  if (code !== 0) {
    let message = (stdout || stderr).trim();
    try {
      message = (JSON.parse(message) as { error?: string }).error ?? message;
    } catch {
      // not netavark's JSON: keep the text
    }
    throw new StrataError("RUNTIME_ERROR", `netavark ${verb} failed: ${message}`);
  }
}

/**
 * Keeps the bridge from being deleted with its last container (see above):
 * a spare port, added once per bridge; recreated when the bridge was
 * (someone deleted it, or the machine rebooted).
 */
async function ensureAnchor(networkId: string): Promise<void> {
  const bridge = bridgeName(networkId);
  const anchor = anchorName(networkId);
  if (existsSync(`/sys/class/net/${bridge}/brif/${anchor}`)) return;
  // A veth pair rather than a dummy device: kernels without the dummy module exist (this one).
  const peer = `sb-${networkId.slice(0, 12)}`;
  await runTool(
    "ip",
    ["-force", "-batch", "-"],
    `link add ${anchor} type veth peer name ${peer}\nlink set ${anchor} master ${bridge}\n`,
  );
}

/** A named network namespace for the container (`ip netns`), so teardown works after the container died. */
export async function createNetns(containerId: string): Promise<string> {
  const path = netnsPath(containerId);
  if (existsSync(path)) await deleteNetns(containerId);
  mkdirSync(NETNS_DIR, { recursive: true });
  // Made in-process (the native addon), as `ip netns add` would make it, without its ~5 ms process.
  closeSync(openSync(path, "wx", 0o444));
  try {
    native().pinNetns(path);
  } catch (cause) {
    rmSync(path, { force: true });
    throw new StrataError("RUNTIME_ERROR", `cannot create a network namespace at ${path}`, { cause });
  }
  return path;
}

/** Unpins the namespace; the kernel then destroys it and the veth ends inside it. */
export async function deleteNetns(containerId: string): Promise<void> {
  const path = netnsPath(containerId);
  if (!existsSync(path)) return;
  try {
    native().umount(path, MNT_DETACH);
  } catch {
    // not mounted (a half-made namespace): the file alone remains
  }
  rmSync(path, { force: true });
}

/** Sets up every endpoint of `c` in its namespace (ports on the first), under the machine-wide lock. */
export async function setup(configDir: string, c: DriverContainer): Promise<void> {
  await withNetworkLock(async () => {
    await netavark(configDir, "setup", c, true);
    for (const e of c.endpoints) await ensureAnchor(e.network.id);
  });
}

/**
 * Undoes `setup`. Endpoints without published ports on networks without DNS
 * hold nothing outside the namespace: deleting the namespace removes their
 * veth, so netavark is asked only for the others (DNAT rules, DNS entries).
 */
export async function teardown(
  configDir: string,
  c: DriverContainer,
  opts: { all?: boolean } = {},
): Promise<void> {
  // `all`: the namespace lives on (disconnect), so every veth must be removed by netavark.
  const needed = c.endpoints.filter((e, i) => opts.all || e.network.dns || (i === 0 && c.ports.length > 0));
  if (needed.length > 0 && existsSync(c.netns)) {
    const first = c.endpoints[0];
    const withPorts = first !== undefined && needed.includes(first) && c.ports.length > 0;
    await withNetworkLock(() =>
      netavark(configDir, "teardown", { ...c, endpoints: needed }, withPorts).catch((err) => {
        // A veth already gone (the namespace died) is what teardown wanted.
        if (!/No such device/.test((err as Error).message)) throw err;
      }),
    );
  }
}

/** Whether a setup already made the network's bridge, its rules and its anchor (they live while the anchor does). */
export function networkReady(networkId: string): boolean {
  return existsSync(`/sys/class/net/${bridgeName(networkId)}/brif/${anchorName(networkId)}`);
}

export function bridgeExists(networkId: string): boolean {
  return existsSync(`/sys/class/net/${bridgeName(networkId)}`);
}

/**
 * Removes a network's bridge, rules and DNS files (`network rm`, a store that
 * was deleted): without its anchor, a throwaway endpoint set up and torn down
 * again makes netavark do its complete teardown.
 */
export function removeNetwork(configDir: string, net: DriverNetwork, spareIp: string): Promise<void> {
  return withNetworkLock(() => removeNetworkLocked(configDir, net, spareIp));
}

/** removeNetwork for a caller that holds the machine-wide network lock. */
export async function removeNetworkLocked(
  configDir: string,
  net: DriverNetwork,
  spareIp: string,
): Promise<void> {
  if (bridgeExists(net.id)) {
    await runTool("ip", ["link", "del", anchorName(net.id)]);
    const id = randomBytes(32).toString("hex");
    const ns = await createNetns(id);
    try {
      const c: DriverContainer = {
        id,
        name: "strata-network-removal",
        netns: ns,
        // Without DNS: the network's rules do not depend on it, and aardvark-dns is not woken for nothing.
        endpoints: [{ network: { ...net, dns: false }, ip: spareIp, mac: "", iface: "eth0", names: [] }],
        ports: [],
        dnsServers: [],
      };
      await netavark(configDir, "setup", c, false);
      await netavark(configDir, "teardown", c, false);
    } finally {
      await deleteNetns(id);
    }
  }
  const dnsConfig = join(configDir, "aardvark-dns", netavarkName(net.id));
  if (existsSync(dnsConfig)) {
    rmSync(dnsConfig, { force: true });
    // aardvark-dns rereads its configuration on SIGHUP (and exits when none is left).
    try {
      const pid = Number(readFileSync(join(configDir, "aardvark-dns", "aardvark.pid"), "utf8"));
      if (pid > 0) process.kill(pid, "SIGHUP");
    } catch {
      // not running
    }
  }
}
