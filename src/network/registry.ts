/**
 * The store's networks: Docker's three predefined ones (`bridge`, the
 * default, with a subnet of strata's pool; `host`; `none`), made on first use,
 * user networks, and finding one the way Docker does (ID, name, ID prefix).
 */
import { StrataError } from "../errors.ts";
import type { NetworkRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";
import { randomBytes } from "../sys/builtins.ts";
import { contains, parseAddress, parseSubnet, type Subnet } from "./ipv4.ts";
import { claimSubnet, releaseSubnet } from "./pool.ts";

export const DEFAULT_NETWORK = "bridge";
export const PREDEFINED = new Set(["bridge", "host", "none"]);

export const isDefaultBridge = (n: NetworkRecord) => n.name === DEFAULT_NETWORK && n.driver === "bridge";

const newId = () => randomBytes(32).toString("hex");
/** RFC 3339 with Docker's nine fractional digits. */
const nanoTime = () => new Date().toISOString().replace(/Z$/, "000000Z");

/** The predefined networks, made once per store (a concurrent first run makes them once too). */
export async function defaultNetworks(store: Store): Promise<void> {
  if (store.meta.networks.getByName(DEFAULT_NETWORK)) return;
  const id = newId();
  const { subnet, gateway } = await claimSubnet(store.root, { id, internal: false, dns: false });
  const won = store.meta.transaction(() => {
    if (store.meta.networks.getByName(DEFAULT_NETWORK)) return false;
    const createdAt = nanoTime();
    const base = { internal: false, labels: {}, createdAt };
    store.meta.networks.insert({ ...base, id, name: "bridge", driver: "bridge", subnet, gateway });
    store.meta.networks.insert({
      ...base,
      id: newId(),
      name: "host",
      driver: "host",
      subnet: null,
      gateway: null,
    });
    store.meta.networks.insert({
      ...base,
      id: newId(),
      name: "none",
      driver: "null",
      subnet: null,
      gateway: null,
    });
    return true;
  });
  if (!won) releaseSubnet(subnet);
}

/**
 * A network by full ID, name or unique ID prefix. `run` and `connect` report
 * a missing one as Docker's daemon does; `inspect` and `rm` as its CLI does.
 */
export function findNetwork(store: Store, input: string, context: "run" | "cli"): NetworkRecord {
  const nets = store.meta.networks;
  const found =
    (/^[a-f0-9]{64}$/.test(input) ? nets.get(input) : undefined) ??
    nets.getByName(input) ??
    (/^[a-f0-9]+$/.test(input) ? prefixMatch(store, input) : undefined);
  if (found) return found;
  if (context === "run") {
    throw new StrataError("NOT_FOUND", `network ${input} not found`, {
      details: { exitCode: 125, help: false },
    });
  }
  throw new StrataError("NOT_FOUND", `No such network: ${input}`, { details: { prefix: "Error: " } });
}

function prefixMatch(store: Store, prefix: string): NetworkRecord | undefined {
  const matches = store.meta.networks.findByPrefix(prefix);
  if (matches.length > 1) {
    throw new StrataError(
      "AMBIGUOUS_ID",
      `network ${prefix} is ambiguous (${matches.length} matches found based on ID prefix)`,
      {
        details: { daemon: true },
      },
    );
  }
  return matches[0];
}

export interface NetworkCreateOptions {
  name: string;
  /** Only `bridge`. */
  driver?: string;
  /** CIDR; a free /24 of strata's pool when omitted. */
  subnet?: string;
  gateway?: string;
  /** No masquerading, no default route: containers reach only each other. */
  internal?: boolean;
  labels?: Record<string, string>;
}

const daemon = (code: "CONFLICT" | "INVALID_ARGUMENT" | "NOT_FOUND", message: string) =>
  new StrataError(code, message, { details: { daemon: true } });

function requestedSubnet(opts: NetworkCreateOptions): { subnet: Subnet; gateway?: number } | undefined {
  if (opts.subnet === undefined) {
    if (opts.gateway !== undefined)
      throw daemon("INVALID_ARGUMENT", `no matching subnet for gateway ${opts.gateway}`);
    return undefined;
  }
  const subnet = parseSubnet(opts.subnet);
  if (!subnet) throw daemon("INVALID_ARGUMENT", `invalid CIDR address: ${opts.subnet}`);
  if (subnet.prefix > 30)
    throw daemon("INVALID_ARGUMENT", `invalid subnet ${opts.subnet}: too small for containers`);
  if (opts.gateway === undefined) return { subnet };
  const gateway = parseAddress(opts.gateway);
  if (gateway === null || !contains(subnet, gateway)) {
    throw daemon("INVALID_ARGUMENT", `no matching subnet for gateway ${opts.gateway}`);
  }
  return { subnet, gateway };
}

/** `network create`: the subnet is claimed machine-wide first; nothing is kept if the name is taken. */
export async function createNetwork(store: Store, opts: NetworkCreateOptions): Promise<NetworkRecord> {
  const driver = opts.driver ?? "bridge";
  if (driver !== "bridge") throw daemon("NOT_FOUND", `plugin "${driver}" not found`);
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(opts.name)) {
    throw daemon(
      "INVALID_ARGUMENT",
      `network name ${opts.name} is invalid: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
    );
  }
  await defaultNetworks(store);
  const taken = () => daemon("CONFLICT", `network with name ${opts.name} already exists`);
  if (store.meta.networks.getByName(opts.name)) throw taken();
  const requested = requestedSubnet(opts);
  const id = newId();
  const internal = opts.internal ?? false;
  const { subnet, gateway } = await claimSubnet(store.root, { id, internal, dns: true }, requested);
  const record: NetworkRecord = {
    id,
    name: opts.name,
    driver: "bridge",
    subnet,
    gateway,
    internal,
    labels: opts.labels ?? {},
    createdAt: nanoTime(),
  };
  try {
    store.meta.transaction(() => {
      if (store.meta.networks.getByName(opts.name)) throw taken();
      store.meta.networks.insert(record);
    });
  } catch (err) {
    releaseSubnet(subnet);
    throw err;
  }
  return record;
}
