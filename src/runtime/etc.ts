/**
 * The files Docker bind-mounts into every container (/etc/hosts,
 * /etc/hostname, /etc/resolv.conf), written in the container's own directory
 * (moby libnetwork etchosts and sandbox_dns_unix, as of Docker 20.10).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NetworkMode } from "./spec.ts";

export interface EtcOptions {
  hostname: string;
  network: NetworkMode;
  /** `ip\tname` lines after libnetwork's defaults (--add-host, the container's own address). */
  extraHosts?: string[];
  /** The whole resolv.conf, when networking decided it (--dns, a user network's DNS server). */
  resolvConf?: string;
}

/** libnetwork's default hosts content; a container without an address gets no line for its own name. */
const DEFAULT_HOSTS = [
  "127.0.0.1\tlocalhost",
  "::1\tlocalhost ip6-localhost ip6-loopback",
  "fe00::0\tip6-localnet",
  "ff00::0\tip6-mcastprefix",
  "ff02::1\tip6-allnodes",
  "ff02::2\tip6-allrouters",
];

const DEFAULT_NAMESERVERS = ["nameserver 8.8.8.8", "nameserver 8.8.4.4"];

function readHost(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/**
 * The host's resolv.conf without loopback name servers (unreachable from a
 * network namespace of its own); Google's when none is left, as Docker does.
 */
export function containerResolvConf(host: string): string {
  const lines = host.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const kept = lines.filter((l) => !/^\s*nameserver\s+(127\.\S*|::1|0:0:0:0:0:0:0:1)\s*$/.test(l));
  if (!kept.some((l) => /^\s*nameserver\s/.test(l))) kept.push(...DEFAULT_NAMESERVERS);
  return `${kept.join("\n")}\n`;
}

export function writeEtcFiles(dir: string, options: EtcOptions): void;
/** @deprecated the older call shape; pass `{ hostname, network }`. */
export function writeEtcFiles(dir: string, hostname: string, network: NetworkMode): void;
export function writeEtcFiles(dir: string, a: EtcOptions | string, b?: NetworkMode): void {
  const opts: EtcOptions = typeof a === "string" ? { hostname: a, network: b ?? "none" } : a;
  const { hostname, network } = opts;
  mkdirSync(dir, { recursive: true });
  // With the host's network the container sees the host's names and resolvers unchanged.
  const hosts =
    network === "host"
      ? readHost("/etc/hosts")
      : `${[...DEFAULT_HOSTS, ...(opts.extraHosts ?? [])].join("\n")}\n`;
  const resolv = opts.resolvConf ?? readHost("/etc/resolv.conf");
  writeFileSync(join(dir, "hosts"), hosts);
  writeFileSync(join(dir, "hostname"), `${hostname}\n`);
  writeFileSync(
    join(dir, "resolv.conf"),
    network === "host" || opts.resolvConf !== undefined ? resolv : containerResolvConf(resolv),
  );
}
