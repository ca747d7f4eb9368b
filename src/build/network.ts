/**
 * RUN's default network: strata's default bridge, as BuildKit's bridge (CNI)
 * worker gives its RUN steps a namespace on a bridge with NAT. Each sandbox
 * is a network namespace with one address on the bridge, set up once and
 * reused by the build's later RUN steps, as BuildKit pools its CNI
 * namespaces. The network service's netavark setup makes the bridge and its
 * rules the first time; once they stand (its anchor is there), only the
 * endpoint's veth, address and route are added, by `ip` (netavark re-checks
 * every firewall rule with ~20 iptables runs, more than a RUN's own cost).
 * Concurrent RUNs (independent stages) each get their own sandbox.
 *
 * Nothing outlives the build: `close` deletes the namespaces (and with them
 * the veths) and frees the addresses. A killed build leaves a marker in the
 * store's tmp/ (`build-<pid>-net-*`, naming the namespace and address), which
 * the next build of the store finds, its pid gone, and undoes.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { attachVeth } from "../network/veth.ts";
import type { Store } from "../store/index.ts";
import { randomBytes } from "../sys/builtins.ts";
import { processAlive } from "../sys/process.ts";

export interface Sandbox {
  /** The namespace RUN joins. */
  netns: string;
  ip: string;
  /** The container's /etc/resolv.conf on the default bridge (the host's, less loopback servers). */
  resolvConf: string;
}

interface SandboxRecord extends Sandbox {
  id: string;
  networkId: string;
  marker: string;
}

const MARKER = /^build-(\d+)-net-/;

/** The network service's plumbing, loaded when a RUN first needs the bridge. */
function parts() {
  return import("../network/index.ts");
}

export class BuildNetwork {
  private readonly free: SandboxRecord[] = [];
  private readonly all: SandboxRecord[] = [];
  /** Sandboxes being made; close() waits for them. */
  private readonly making = new Set<Promise<SandboxRecord>>();
  private prepared?: Promise<SandboxRecord>;

  constructor(private readonly store: Store) {}

  /**
   * Starts making the first sandbox at once, so that netavark's work overlaps
   * the steps before the first RUN (base images, COPY) instead of delaying it.
   */
  prepare(): void {
    if (this.prepared || this.all.length > 0 || this.making.size > 0) return;
    this.prepared = this.make();
    this.prepared.catch(() => {});
  }

  /** A sandbox for one RUN: a free one of this build, the prepared one, else a new one. */
  async acquire(): Promise<Sandbox> {
    const reused = this.free.pop();
    if (reused) return reused;
    const prepared = this.prepared;
    this.prepared = undefined;
    return prepared ?? this.make();
  }

  private make(): Promise<SandboxRecord> {
    const p = this.create().then((s) => {
      this.all.push(s);
      return s;
    });
    this.making.add(p);
    const forget = () => this.making.delete(p);
    p.then(forget, forget);
    return p;
  }

  release(s: Sandbox): void {
    const r = this.all.find((x) => x.netns === s.netns);
    if (r && !this.free.includes(r)) this.free.push(r);
  }

  private async create(): Promise<SandboxRecord> {
    const p = await parts();
    await p.defaultNetworks(this.store);
    const n = p.findNetwork(this.store, p.DEFAULT_NETWORK, "run");
    const id = randomBytes(32).toString("hex");
    const marker = join(this.store.layers.tmpDir, `build-${process.pid}-net-${id.slice(0, 12)}`);
    // The address, in one transaction with the check that it is free (as a container's start does).
    const ip = this.store.meta.transaction(() => {
      const addr = p.allocate(this.store, n, null);
      this.store.meta.networks.insertEndpoint({
        networkId: n.id,
        containerId: id,
        endpointId: randomBytes(32).toString("hex"),
        position: 0,
        aliases: [],
        requestedIp: null,
        ip: addr,
        interface: "eth0",
      });
      return addr;
    });
    const record: SandboxRecord = {
      id,
      networkId: n.id,
      marker,
      netns: p.netnsPath(id),
      ip,
      resolvConf: p.containerResolvConf({ servers: [], search: [], options: [] }),
    };
    // Written before anything is made, so that a kill at any point below leaves a way back.
    mkdirSync(marker, { recursive: true });
    writeFileSync(join(marker, "sandbox.json"), JSON.stringify({ id, networkId: n.id }));
    try {
      await p.createNetns(id);
      const mac = p.macFor(p.parseAddress(ip) as number);
      if (p.networkReady(n.id)) {
        await attachVeth(record.netns, `vb${id.slice(0, 12)}`, p.bridgeName(n.id), {
          ip,
          mac,
          subnet: n.subnet,
          gateway: n.gateway,
        });
        return record;
      }
      await p.setup(p.configDir(this.store), {
        id,
        name: `buildkit-${id.slice(0, 12)}`,
        netns: record.netns,
        endpoints: [
          {
            network: p.driverNetwork(n),
            ip,
            mac,
            iface: "eth0",
            names: [],
          },
        ],
        ports: [],
        dnsServers: [],
      });
    } catch (err) {
      await undo(this.store, id, n.id, marker);
      throw err;
    }
    return record;
  }

  /** Deletes every sandbox of this build (those still being made once they are). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.making]);
    this.prepared = undefined;
    const all = this.all.splice(0);
    this.free.length = 0;
    for (const s of all) await undo(this.store, s.id, s.networkId, s.marker);
  }
}

/**
 * Undoes a sandbox: on the default bridge, without published ports or DNS,
 * netavark left nothing outside the namespace, so deleting the namespace
 * removes its veth (as the network service's teardown does), then the address
 * is freed and the marker removed.
 */
async function undo(store: Store, id: string, networkId: string, marker: string): Promise<void> {
  const p = await parts();
  await p.deleteNetns(id);
  store.meta.networks.deleteEndpoint(networkId, id);
  rmSync(marker, { recursive: true, force: true });
}

/** Undoes the sandboxes of builds of this store whose process is gone. */
export async function cleanStaleBuildNetworks(store: Store): Promise<void> {
  const tmp = store.layers.tmpDir;
  let names: string[];
  try {
    names = readdirSync(tmp);
  } catch {
    return;
  }
  for (const name of names) {
    const m = MARKER.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    const marker = join(tmp, name);
    try {
      const { id, networkId } = JSON.parse(readFileSync(join(marker, "sandbox.json"), "utf8")) as {
        id: string;
        networkId: string;
      };
      await undo(store, id, networkId, marker);
    } catch {
      // A marker without its record (killed while writing it): nothing was made yet.
      rmSync(marker, { recursive: true, force: true });
    }
  }
}
