/**
 * Subnets, machine-wide. Every store on the machine takes its networks'
 * subnets from one pool (10.210.0.0/24 … 10.225.255.0/24: clear of Docker's
 * 172.17.0.0/16 and 172.18+, and of Podman's 10.88.0.0/16 and 10.89.x.0/24),
 * and records each subnet it holds as a claim file in one directory, under
 * the machine-wide network lock. A claim whose store was deleted is stale:
 * its bridge and rules are removed and its subnet reused. Routes the host
 * already has (docker0, a VPN…, a strata bridge left without its claim) are
 * never chosen.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { StrataError } from "../errors.ts";
import { formatAddress, formatSubnet, overlaps, parseSubnet, type Subnet } from "./ipv4.ts";
import { type DriverNetwork, removeNetworkLocked, withNetworkLock } from "./netavark.ts";

export const CLAIMS_DIR = process.env.STRATA_NETWORK_CLAIMS ?? "/var/lib/strata-networks";

const POOL_FIRST = (10 << 24) + (210 << 16);
const POOL_COUNT = 16 * 256;

export interface Claim {
  /** The store that holds the subnet. */
  root: string;
  network: DriverNetwork;
}

const claimFile = (subnet: string) => join(CLAIMS_DIR, `${subnet.replace("/", "_")}.json`);

function readClaims(): Claim[] {
  let names: string[];
  try {
    names = readdirSync(CLAIMS_DIR);
  } catch {
    return [];
  }
  const out: Claim[] = [];
  for (const n of names) {
    if (!n.endsWith(".json")) continue;
    try {
      out.push(JSON.parse(readFileSync(join(CLAIMS_DIR, n), "utf8")) as Claim);
    } catch {
      // a claim being written; it is not ours to judge
    }
  }
  return out;
}

/** The host's IPv4 routes other than the default one (/proc/net/route: little-endian hex). */
function hostRoutes(): Subnet[] {
  let text: string;
  try {
    text = readFileSync("/proc/net/route", "utf8");
  } catch {
    return [];
  }
  const out: Subnet[] = [];
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    // strata's own bridges count too: one left behind without its claim (a failed removal) still
    // routes its subnet, and a new network given that subnet would be unreachable from the host.
    if (f.length < 8) continue;
    const le = (hex: string) => Buffer.from(hex, "hex").readUInt32LE(0);
    const maskBits = le(f[7] as string)
      .toString(2)
      .replace(/0/g, "").length;
    if (maskBits === 0) continue;
    out.push({ base: le(f[1] as string), prefix: maskBits });
  }
  return out;
}

export const isStale = (c: Claim) => !existsSync(join(c.root, "db.sqlite"));

/** The last host address of a subnet: a spare one for removing a network nobody uses. */
export function spareAddress(subnet: string): string {
  const s = parseSubnet(subnet) as Subnet;
  return formatAddress(s.base + 2 ** (32 - s.prefix) - 2);
}

/**
 * Removes the networks of deleted stores, at most `limit` per call (each
 * costs a netavark set-up and teardown): a claim stays in the way of new
 * subnets until it is cleared. Returns the claims still standing.
 */
async function clearStale(claims: Claim[], limit = 2): Promise<Claim[]> {
  const live: Claim[] = [];
  let cleared = 0;
  for (const c of claims) {
    if (!isStale(c) || cleared >= limit) {
      live.push(c);
      continue;
    }
    cleared++;
    await removeNetworkLocked(join(c.root, "networks"), c.network, spareAddress(c.network.subnet)).catch(
      () => {},
    );
    rmSync(claimFile(c.network.subnet), { force: true });
  }
  return live;
}

function overlapError(): StrataError {
  return new StrataError("CONFLICT", "Pool overlaps with other one on this address space", {
    details: { daemon: true },
  });
}

/**
 * Claims a subnet for a new network: `requested` if it overlaps nothing
 * claimed or routed, else the first free /24 of the pool.
 */
export function claimSubnet(
  root: string,
  network: Omit<DriverNetwork, "subnet" | "gateway">,
  requested?: { subnet: Subnet; gateway?: number },
): Promise<{ subnet: string; gateway: string }> {
  return withNetworkLock(() => claimLocked(root, network, requested));
}

async function claimLocked(
  root: string,
  network: Omit<DriverNetwork, "subnet" | "gateway">,
  requested?: { subnet: Subnet; gateway?: number },
): Promise<{ subnet: string; gateway: string }> {
  const taken = [
    ...(await clearStale(readClaims())).map((c) => parseSubnet(c.network.subnet) as Subnet),
    ...hostRoutes(),
  ];
  let subnet: Subnet | undefined = requested?.subnet;
  if (subnet) {
    const s = subnet;
    if (taken.some((t) => overlaps(t, s))) throw overlapError();
  } else {
    for (let i = 0; i < POOL_COUNT && !subnet; i++) {
      const candidate: Subnet = { base: POOL_FIRST + i * 256, prefix: 24 };
      if (!taken.some((t) => overlaps(t, candidate))) subnet = candidate;
    }
    if (!subnet) {
      throw new StrataError(
        "CONFLICT",
        "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network",
        { details: { daemon: true } },
      );
    }
  }
  const text = formatSubnet(subnet);
  const gateway = formatAddress(requested?.gateway ?? subnet.base + 1);
  mkdirSync(CLAIMS_DIR, { recursive: true });
  // Absolute: another process, in another directory, judges whether the store still exists.
  const claim: Claim = { root: resolve(root), network: { ...network, subnet: text, gateway } };
  writeFileSync(claimFile(text), JSON.stringify(claim));
  return { subnet: text, gateway };
}

export function releaseSubnet(subnet: string): void {
  rmSync(claimFile(subnet), { force: true });
}

/** Claims whose store is gone (for `system check`). */
export function staleClaims(): Claim[] {
  return readClaims().filter(isStale);
}
