/**
 * Published ports: Docker's `-p` grammar (go-connections nat.ParsePortSpec,
 * with its messages) and the three ways Docker prints what is published:
 * inspect's `NetworkSettings.Ports`, `ps`'s PORTS column and `port`'s lines.
 */
import { StrataError } from "../errors.ts";
import { parseAddress } from "./ipv4.ts";

export type Protocol = "tcp" | "udp" | "sctp";

/** What the user asked for (`-p [IP:][HOST:]CONTAINER[/PROTO]`, one per container port). */
export interface PortBinding {
  containerPort: number;
  protocol: Protocol;
  /** "" binds every address (Docker's 0.0.0.0 and ::). */
  hostIp: string;
  /** 0: a free ephemeral port. */
  hostPort: number;
  /** With a host range for one container port (`8000-8010:80`): any free port up to this one. */
  hostPortEnd?: number;
}

/** A port the running container holds on the host. */
export interface PublishedPort {
  containerPort: number;
  protocol: Protocol;
  /** The address bound: `0.0.0.0`, `::` or a given one. */
  hostIp: string;
  hostPort: number;
}

function invalid(message: string): StrataError {
  return new StrataError("INVALID_ARGUMENT", message, { details: { exitCode: 125, prefix: "" } });
}

function parseRange(text: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const start = m ? Number(m[1]) : Number.NaN;
  const end = m?.[2] !== undefined ? Number(m[2]) : start;
  if (!m || start > 65535 || end > 65535 || end < start) throw invalid(`Invalid ${what}: ${text}`);
  return [start, end];
}

/** One `-p` value: its bindings, one per container port; Docker's messages for bad input. */
export function parsePublish(spec: string): PortBinding[] {
  let rest = spec;
  let protocol: Protocol = "tcp";
  const slash = rest.lastIndexOf("/");
  if (slash >= 0) {
    const proto = rest.slice(slash + 1).toLowerCase();
    if (proto !== "tcp" && proto !== "udp" && proto !== "sctp") throw invalid(`Invalid proto: ${proto}`);
    protocol = proto;
    rest = rest.slice(0, slash);
  }
  let hostIp = "";
  let hostPart = "";
  let containerPart: string;
  // An IPv6 host address is bracketed: [::1]:8080:80.
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(.*)$/.exec(rest);
  if (v6) {
    hostIp = v6[1] as string;
    const parts = (v6[2] as string).split(":");
    if (parts.length !== 2) throw invalid(`Invalid port format: ${spec}`);
    [hostPart, containerPart] = parts as [string, string];
  } else {
    const parts = rest.split(":");
    if (parts.length === 1) containerPart = parts[0] as string;
    else if (parts.length === 2) [hostPart, containerPart] = parts as [string, string];
    else if (parts.length === 3) [hostIp, hostPart, containerPart] = parts as [string, string, string];
    else throw invalid(`Invalid port format: ${spec}`);
    if (hostIp !== "" && parseAddress(hostIp) === null) throw invalid(`Invalid ip address: ${hostIp}`);
  }
  if (containerPart === "") throw invalid(`No port specified: ${spec}<empty>`);
  const [cStart, cEnd] = parseRange(containerPart, "containerPort");
  const host = hostPart === "" ? null : parseRange(hostPart, "hostPort");
  const count = cEnd - cStart + 1;
  if (host && host[1] - host[0] + 1 !== count && !(count === 1 && host[1] > host[0])) {
    throw invalid(`Invalid ranges specified for container and host Ports: ${containerPart} and ${hostPart}`);
  }
  const out: PortBinding[] = [];
  for (let i = 0; i < count; i++) {
    const b: PortBinding = { containerPort: cStart + i, protocol, hostIp, hostPort: 0 };
    if (host) {
      if (count === 1 && host[1] > host[0]) {
        b.hostPort = host[0];
        b.hostPortEnd = host[1];
      } else b.hostPort = host[0] + i;
    }
    out.push(b);
  }
  return out;
}

/** `80/tcp`, `53/udp`: Docker's port keys. */
export function portKey(p: { containerPort: number; protocol: Protocol }): string {
  return `${p.containerPort}/${p.protocol}`;
}

/** An image's `ExposedPorts` key (`80/tcp`, `53/udp`, `8080`) as a port and protocol. */
export function parsePortKey(key: string): { containerPort: number; protocol: Protocol } | null {
  const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(key.toLowerCase());
  if (!m || Number(m[1]) > 65535) return null;
  return { containerPort: Number(m[1]), protocol: (m[2] as Protocol | undefined) ?? "tcp" };
}

/**
 * inspect's `NetworkSettings.Ports`: every exposed or published port, with
 * the host bindings of a running container (null for ports not published).
 */
export function inspectPorts(
  exposed: string[],
  published: PublishedPort[],
): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const key of exposed) out[key] = null;
  for (const p of published) {
    const key = portKey(p);
    const list = out[key] ?? [];
    list.push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
    out[key] = list;
  }
  return out;
}

/** `port NAME`: `80/tcp -> 0.0.0.0:18070` lines, in Docker's order (sorted by port key). */
export function portLines(
  published: PublishedPort[],
  filter?: { containerPort: number; protocol: Protocol },
): string[] {
  const list = filter
    ? published.filter((p) => p.containerPort === filter.containerPort && p.protocol === filter.protocol)
    : [...published].sort((a, b) => portKey(a).localeCompare(portKey(b)));
  return list.map((p) => {
    const addr = `${p.hostIp}:${p.hostPort}`;
    return filter ? addr : `${portKey(p)} -> ${addr}`;
  });
}
