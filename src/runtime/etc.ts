/** The files Docker bind-mounts into every container, kept in the container's own directory. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function writeEtcFiles(dir: string, hostname: string, network: "none" | "host"): void {
  mkdirSync(dir, { recursive: true });
  const hosts =
    network === "host"
      ? readFileSync("/etc/hosts", "utf8")
      : `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.1\t${hostname}\n`;
  writeFileSync(join(dir, "hosts"), hosts);
  writeFileSync(join(dir, "hostname"), `${hostname}\n`);
  let resolv = "";
  try {
    resolv = readFileSync("/etc/resolv.conf", "utf8");
  } catch {}
  writeFileSync(join(dir, "resolv.conf"), network === "none" ? "" : resolv);
}
