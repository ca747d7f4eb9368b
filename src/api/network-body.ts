/**
 * The networking part of Docker's container create body as strata's
 * NetworkingOptions: HostConfig.NetworkMode and PortBindings (`-p`),
 * PublishAllPorts (`-P`), Config.ExposedPorts (`--expose`), the DNS fields,
 * ExtraHosts, and NetworkingConfig.EndpointsConfig (aliases and `--ip` per
 * network). Endpoint settings strata cannot honour are refused with a 400.
 */
import {
  type Engine,
  isStrataError,
  type NetworkingOptions,
  type PortBinding,
  parsePublish,
} from "../engine.ts";
import { HttpError } from "./http.ts";

type Body = Record<string, unknown>;

/** One network a new container joins, with its endpoint's settings. */
export interface EndpointRequest {
  network: string;
  aliases?: string[];
  ip?: string;
}

const isZero = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === "" ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === "object" && Object.keys(v as object).length === 0);

function stringList(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v.length > 0 ? v : undefined;
  throw new HttpError(
    400,
    `json: cannot unmarshal ${typeof v} into Go struct field ${field} of type []string`,
  );
}

/** HostConfig.PortBindings (`{"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}`) through `-p`'s parser. */
function portBindings(v: unknown): PortBinding[] | undefined {
  if (isZero(v)) return undefined;
  if (typeof v !== "object" || Array.isArray(v))
    throw new HttpError(400, "HostConfig.PortBindings must be an object");
  const out: PortBinding[] = [];
  for (const [key, list] of Object.entries(v as Record<string, unknown>)) {
    const m = /^(\d+(?:-\d+)?)(?:\/([a-zA-Z]+))?$/.exec(key);
    if (!m) throw new HttpError(400, `invalid port specification: "${key}"`);
    const container = `${m[1]}/${(m[2] ?? "tcp").toLowerCase()}`;
    // A key with no bindings (null or []) only exposes the port, as Docker's.
    for (const b of (Array.isArray(list) ? list : []) as Body[]) {
      const ip = typeof b?.HostIp === "string" ? b.HostIp : "";
      const port = typeof b?.HostPort === "string" ? b.HostPort : "";
      const host = ip.includes(":") ? `[${ip}]` : ip;
      const spec = host ? `${host}:${port}:${container}` : port ? `${port}:${container}` : container;
      out.push(...parsePublish(spec));
    }
  }
  return out.length > 0 ? out : undefined;
}

/** An endpoint's settings: aliases and a requested IPv4 address; anything else strata would drop is a 400. */
function endpoint(network: string, settings: unknown): EndpointRequest {
  const s = (settings ?? {}) as Body;
  const ipam = (s.IPAMConfig ?? {}) as Body;
  for (const f of ["Links", "MacAddress", "DriverOpts"]) {
    if (!isZero(s[f])) throw new HttpError(400, `strata does not support EndpointsConfig.${f} yet`);
  }
  for (const f of ["IPv6Address", "LinkLocalIPs"]) {
    if (!isZero(ipam[f])) throw new HttpError(400, `strata does not support IPAMConfig.${f} yet`);
  }
  const ip = typeof ipam.IPv4Address === "string" && ipam.IPv4Address ? ipam.IPv4Address : undefined;
  return { network, aliases: stringList(s.Aliases, "EndpointSettings.Aliases"), ip };
}

const networkMode = (host: Body) => (typeof host.NetworkMode === "string" ? host.NetworkMode : "");

/** The networks named by NetworkMode and EndpointsConfig: the first is the one create joins. */
function endpoints(body: Body, mode: string): EndpointRequest[] {
  const config = ((body.NetworkingConfig as Body | undefined)?.EndpointsConfig ?? {}) as Body;
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new HttpError(400, "NetworkingConfig.EndpointsConfig must be an object");
  }
  // Docker's default network is `bridge`; clients name it either way.
  const primary = mode === "" || mode === "default" ? "bridge" : mode;
  const out = [endpoint(primary, config[primary] ?? (primary === "bridge" ? config.default : undefined))];
  for (const [name, settings] of Object.entries(config)) {
    if (name === primary || (primary === "bridge" && name === "default")) continue;
    out.push(endpoint(name, settings));
  }
  return out;
}

/** The create body's networking as NetworkingOptions (the network NetworkMode names). */
export function networkingOptions(body: Body, host: Body): NetworkingOptions {
  const mode = networkMode(host);
  const [primary] = endpoints(body, mode);
  const exposed = Object.keys((body.ExposedPorts ?? {}) as Body);
  for (const key of exposed) {
    if (!/^\d+(\/(tcp|udp|sctp))?$/i.test(key))
      throw new HttpError(400, `invalid port specification: "${key}"`);
  }
  return {
    // The default bridge as the CLI's default: NetworkMode stays `default` in inspect, as Docker's.
    network: mode === "" || mode === "default" ? undefined : mode,
    networkAliases: primary?.aliases,
    ip: primary?.ip,
    ports: portBindings(host.PortBindings),
    publishAll: host.PublishAllPorts === true,
    expose:
      exposed.length > 0 ? exposed.map((k) => (k.includes("/") ? k.toLowerCase() : `${k}/tcp`)) : undefined,
    dns: stringList(host.Dns, "HostConfig.Dns"),
    dnsSearch: stringList(host.DnsSearch, "HostConfig.DnsSearch"),
    dnsOptions: stringList(host.DnsOptions, "HostConfig.DnsOptions"),
    extraHosts: stringList(host.ExtraHosts, "HostConfig.ExtraHosts"),
  };
}

/**
 * The networks of EndpointsConfig beyond NetworkMode's (API 1.44 lets
 * `docker run --network a --network b` name several): create joins one,
 * these are connected right after it.
 */
export function extraNetworks(body: Body): EndpointRequest[] {
  return endpoints(body, networkMode((body.HostConfig ?? {}) as Body)).slice(1);
}

/** Connects a just-created container to `extra`; on a failure the container is removed (nothing half-made). */
export async function connectExtra(engine: Engine, id: string, extra: EndpointRequest[]): Promise<void> {
  try {
    for (const e of extra) await engine.networks.connect(e.network, id, { aliases: e.aliases, ip: e.ip });
  } catch (err) {
    await engine.containers.remove(id, { force: true }).catch(() => {});
    missingNetwork(err);
  }
}

/**
 * A create naming a network strata does not have: a 400, not the 404 of the
 * engine's error, because on a 404 the docker CLI takes the image for missing,
 * pulls it and creates again. (dockerd itself creates the container and fails
 * its start; strata refuses at once and creates nothing.)
 */
export function missingNetwork(err: unknown): never {
  if (isStrataError(err, "NOT_FOUND") && /^network .* not found$/.test((err as Error).message)) {
    throw new HttpError(400, (err as Error).message);
  }
  throw err;
}
