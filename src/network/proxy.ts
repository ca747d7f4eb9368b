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

/**
 * Stops the container's proxies; a recycled pid (after a reboot) is not this
 * container's and is left alone. The PIDs it signalled.
 */
export function stopProxies(containerId: string, pids: number[]): number[] {
  const stopped: number[] = [];
  for (const pid of pids) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, "utf8");
      if (!env.split("\0").includes(`STRATA_PROXY=${containerId}`)) continue;
      process.kill(pid, "SIGTERM");
      stopped.push(pid);
    } catch {
      // gone already
    }
  }
  return stopped;
}

/** Whether `pid` has ended (gone, or a zombie: its descriptors, and so its ports, are closed). */
function ended(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] === "Z";
  } catch {
    return true;
  }
}

/** stopProxies, then waits (a second at most) until they ended, so that their host ports are free. */
export async function stopProxiesAndWait(containerId: string, pids: number[]): Promise<void> {
  const stopped = stopProxies(containerId, pids);
  const deadline = Date.now() + 1000;
  while (stopped.some((pid) => !ended(pid)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2));
  }
}
