/**
 * The one userland proxy: IPv6. A port published on every address is served
 * on IPv4 by the kernel (netavark's DNAT, loopback included), but the
 * container has only an IPv4 address and the kernel cannot translate IPv6 to
 * IPv4, so `[::]:PORT` is served by socat (Debian's), as Docker serves it with
 * docker-proxy. Only TCP; the proxy lives until teardown stops it.
 */
import { existsSync, readFileSync } from "node:fs";
import { childProcess } from "../sys/builtins.ts";
import type { PortBinding, PublishedPort } from "./ports.ts";

const SOCAT = "/usr/bin/socat";

function listening6(port: number): boolean {
  try {
    const hex = port.toString(16).toUpperCase().padStart(4, "0");
    // state 0A is LISTEN
    return readFileSync("/proc/net/tcp6", "utf8")
      .split("\n")
      .some((l) => {
        const f = l.trim().split(/\s+/);
        return f[1]?.endsWith(`:${hex}`) && f[3] === "0A";
      });
  } catch {
    return false;
  }
}

async function waitListening(port: number, pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (listening6(port)) return true;
    if (!existsSync(`/proc/${pid}`)) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  return false;
}

export async function proxyIpv6(
  containerId: string,
  bindings: PortBinding[],
  published: PublishedPort[],
  containerIp: string,
): Promise<{ published: PublishedPort[]; pids: number[] }> {
  const out: PublishedPort[] = [];
  const pids: number[] = [];
  if (!existsSync(SOCAT) || !existsSync("/proc/net/if_inet6")) return { published: out, pids };
  for (const p of published) {
    const wanted = bindings.some(
      (b) => b.hostIp === "" && b.containerPort === p.containerPort && b.protocol === p.protocol,
    );
    if (!wanted || p.protocol !== "tcp" || p.hostIp !== "0.0.0.0") continue;
    const child = childProcess().spawn(
      SOCAT,
      [`TCP6-LISTEN:${p.hostPort},ipv6only=1,reuseaddr,fork`, `TCP4:${containerIp}:${p.containerPort}`],
      // The container's ID in the environment marks the process as this container's proxy.
      { detached: true, stdio: "ignore", env: { STRATA_PROXY: containerId } },
    );
    child.unref();
    if (child.pid === undefined) continue;
    if (await waitListening(p.hostPort, child.pid)) {
      pids.push(child.pid);
      out.push({ ...p, hostIp: "::" });
    } else {
      stopProxies(containerId, [child.pid]);
    }
  }
  return { published: out, pids };
}

/** Stops the container's proxies; a recycled pid (after a reboot) is not this container's and is left alone. */
export function stopProxies(containerId: string, pids: number[]): void {
  for (const pid of pids) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, "utf8");
      if (!env.split("\0").includes(`STRATA_PROXY=${containerId}`)) continue;
      process.kill(pid, "SIGTERM");
    } catch {
      // gone already
    }
  }
}
