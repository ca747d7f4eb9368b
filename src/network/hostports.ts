/**
 * Host ports held for a running container, as Podman holds them: strata binds
 * each published port itself (so a port another program or container uses
 * is refused with Docker's message before anything runs) and hands the bound
 * sockets to a holder process; traffic itself goes through the kernel's DNAT
 * rules, never through these sockets. The holder is `tail --pid` of the
 * container's monitor (coreutils), so a monitor that dies frees its ports
 * within a second; teardown and `network disconnect` stop it at once (which
 * they could not do if conmon itself held the sockets, as it once did).
 */
import type { Socket as UdpSocket } from "node:dgram";
import { createRequire } from "node:module";
import type { Server } from "node:net";
import { StrataError } from "../errors.ts";
import { childProcess } from "../sys/builtins.ts";
import type { PortBinding, PublishedPort } from "./ports.ts";

const load = createRequire(import.meta.filename);

export interface HeldPorts {
  published: PublishedPort[];
  /** The bound sockets' descriptors, to be inherited by the monitor. */
  fds: number[];
  /** Closes strata's own copies (once the monitor holds them, or on failure). */
  close(): void;
}

type Holder = Server | UdpSocket;

function fdOf(h: Holder): number {
  const handle = (h as unknown as { _handle?: { fd?: number } })._handle;
  const fd = handle?.fd;
  if (typeof fd !== "number" || fd < 0) throw new StrataError("INTERNAL", "a bound socket has no descriptor");
  return fd;
}

function bindTcp(host: string, port: number): Promise<Server> {
  const net = load("node:net") as typeof import("node:net");
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ host, port, exclusive: true, ipv6Only: host.includes(":") }, () => resolve(server));
  });
}

function bindUdp(host: string, port: number): Promise<UdpSocket> {
  const dgram = load("node:dgram") as typeof import("node:dgram");
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({
      type: host.includes(":") ? "udp6" : "udp4",
      ipv6Only: host.includes(":"),
    });
    socket.once("error", reject);
    socket.bind({ address: host, port, exclusive: true }, () => resolve(socket));
  });
}

function portOf(h: Holder): number {
  const addr = "address" in h && typeof h.address === "function" ? h.address() : null;
  return typeof addr === "object" && addr !== null ? (addr as { port: number }).port : 0;
}

function inUse(endpoint: string, id: string, host: string, port: number): StrataError {
  return new StrataError(
    "CONFLICT",
    `driver failed programming external connectivity on endpoint ${endpoint} (${id}): Bind for ${host}:${port} failed: port is already allocated`,
    { details: { exitCode: 125 } },
  );
}

/**
 * Binds every binding (an unspecified host address means 0.0.0.0; port 0 a
 * free ephemeral port; a host range, the first free port in it). `endpoint`
 * and `endpointId` name the container in Docker's conflict message.
 */
export async function holdPorts(
  bindings: PortBinding[],
  endpoint: string,
  endpointId: string,
): Promise<HeldPorts> {
  const holders: Holder[] = [];
  const published: PublishedPort[] = [];
  const close = () => {
    for (const h of holders) {
      try {
        h.close();
      } catch {
        // already closed
      }
    }
  };
  try {
    for (const b of bindings) {
      const host = b.hostIp === "" ? "0.0.0.0" : b.hostIp;
      const last = b.hostPortEnd ?? b.hostPort;
      let holder: Holder | undefined;
      for (let port = b.hostPort; port <= last && !holder; port++) {
        try {
          holder = b.protocol === "udp" ? await bindUdp(host, port) : await bindTcp(host, port);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== "EADDRINUSE" && code !== "EACCES") throw err;
          if (port === last) throw inUse(endpoint, endpointId, host, b.hostPort);
        }
      }
      if (!holder) throw inUse(endpoint, endpointId, host, b.hostPort);
      holders.push(holder);
      published.push({
        containerPort: b.containerPort,
        protocol: b.protocol,
        hostIp: host,
        hostPort: portOf(holder),
      });
    }
    return { published, fds: holders.map(fdOf), close };
  } catch (err) {
    close();
    throw err;
  }
}

const TAIL = "/usr/bin/tail";

/**
 * Starts the holder of `fds` for the container `id` (marked as its proxies
 * are, see proxy.ts) that ends with `monitorPid`; its PID.
 */
export function spawnPortHolder(id: string, fds: number[], monitorPid: number): number {
  const child = childProcess().spawn(TAIL, ["-f", "/dev/null", `--pid=${monitorPid}`], {
    // detached: not in the CLI's process group (a Ctrl-C at the terminal is not for it).
    detached: true,
    stdio: ["ignore", "ignore", "ignore", ...fds],
    env: { STRATA_PROXY: id },
  });
  child.on("error", () => {});
  child.unref();
  if (child.pid === undefined) {
    throw new StrataError("RUNTIME_ERROR", `cannot run ${TAIL} to hold the container's published ports`);
  }
  return child.pid;
}
