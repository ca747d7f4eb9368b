/**
 * A container's /etc/resolv.conf on a bridge network, as libnetwork builds it
 * (sandbox_dns_unix.go): the host's file without loopback servers, or, when
 * --dns, --dns-search or --dns-option (or a network's own DNS server) say
 * otherwise, `search`, `nameserver` and `options` lines with each part taken
 * from the flags or else from the host.
 */
import { readFileSync } from "node:fs";
import { filterResolvConf } from "../runtime/index.ts";

export interface ResolvOverrides {
  servers: string[];
  search: string[];
  options: string[];
}

function hostResolvConf(): string {
  try {
    return readFileSync("/etc/resolv.conf", "utf8");
  } catch {
    return "";
  }
}

function fields(text: string, key: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[0] === key)
    .flatMap((f) => f.slice(1));
}

export function containerResolvConf(o: ResolvOverrides, host = hostResolvConf()): string {
  const filtered = filterResolvConf(host);
  if (o.servers.length === 0 && o.search.length === 0 && o.options.length === 0) return filtered;
  const servers = o.servers.length > 0 ? o.servers : fields(filtered, "nameserver");
  const search = o.search.length > 0 ? o.search : fields(filtered, "search");
  const options = o.options.length > 0 ? o.options : fields(filtered, "options");
  const lines: string[] = [];
  // `--dns-search .` means no search domains at all.
  if (search.length > 0 && !(search.length === 1 && search[0] === "."))
    lines.push(`search ${search.join(" ")}`);
  for (const s of servers) lines.push(`nameserver ${s}`);
  if (options.length > 0) lines.push(`options ${options.join(" ")}`);
  return `${lines.join("\n")}\n`;
}
