/**
 * Where a reference's registry lives: `docker.io` is served by
 * registry-1.docker.io; loopback hosts and configured insecure registries
 * speak plain HTTP (Docker treats 127.0.0.0/8 and ::1 as insecure by
 * default); everything else is HTTPS with verified certificates.
 */
import { isIPv4, isIPv6 } from "node:net";

export interface Endpoint {
  /** The registry as the reference names it (`docker.io`, `127.0.0.1:5000`): the key for credentials. */
  readonly host: string;
  /** `scheme://host[:port]`, no trailing slash. */
  readonly origin: string;
}

const DOCKER_HUB = "docker.io";
const DOCKER_HUB_API = "registry-1.docker.io";

/** Splits `host[:port]`, keeping IPv6 brackets off the hostname. */
export function splitHostPort(host: string): { hostname: string; port?: string } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (v6) return { hostname: v6[1], port: v6[2] };
  const colon = host.lastIndexOf(":");
  return colon < 0 ? { hostname: host } : { hostname: host.slice(0, colon), port: host.slice(colon + 1) };
}

function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIPv4(h)) return h.startsWith("127.");
  if (isIPv6(h)) return h === "::1" || h === "0:0:0:0:0:0:0:1";
  return false;
}

function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

/** An insecure-registries entry matches by exact `host:port`, by hostname, or as an IPv4 CIDR. */
function matchesInsecure(host: string, hostname: string, entry: string): boolean {
  const e = entry.replace(/^https?:\/\//, "").replace(/\/+$/, "");
  if (e === host || e === hostname) return true;
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(e);
  if (cidr && isIPv4(hostname)) {
    const bits = Number(cidr[2]);
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return (ipv4ToInt(hostname) & mask) >>> 0 === (ipv4ToInt(cidr[1]) & mask) >>> 0;
  }
  return false;
}

export function resolveEndpoint(host: string, insecureRegistries: readonly string[] = []): Endpoint {
  if (host === DOCKER_HUB) return { host, origin: `https://${DOCKER_HUB_API}` };
  const { hostname } = splitHostPort(host);
  const insecure = isLoopback(hostname) || insecureRegistries.some((e) => matchesInsecure(host, hostname, e));
  return { host, origin: `${insecure ? "http" : "https"}://${host}` };
}
