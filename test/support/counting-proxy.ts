/**
 * A counting, fault-injecting HTTP proxy in front of a real registry: every
 * request is forwarded unchanged (Host included, so the registry's upload
 * locations point back at the proxy) and logged with its method, path and
 * body size. A test can ask for the next request matching a method to have
 * its connection reset, or held, after some bytes of its body.
 */
import { createServer, type IncomingMessage, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoggedRequest {
  method: string;
  path: string;
  /** Request body bytes received from the client. */
  bytes: number;
  status?: number;
}

export interface Fault {
  method: string;
  /** Applies once the request body has passed this many bytes. */
  afterBytes: number;
  action: "reset" | "stall";
}

export interface CountingProxy {
  /** `127.0.0.1:PORT`, a registry domain for references. */
  host: string;
  log: LoggedRequest[];
  /** Faults still to fire, first match first; each fires once. */
  faults: Fault[];
  /** Resolves when a stalled request is being held. */
  stalled(): Promise<void>;
  /** Requests of a method whose path matches. */
  count(method: string, path?: RegExp): number;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const [targetHost, targetPort] = target.split(":");
  const log: LoggedRequest[] = [];
  const faults: Fault[] = [];
  let onStall: (() => void) | undefined;
  let stallSeen = false;
  const held: IncomingMessage[] = [];

  const server: Server = createServer((req, res) => {
    const entry: LoggedRequest = { method: req.method ?? "", path: (req.url ?? "").split("?")[0], bytes: 0 };
    log.push(entry);
    const faultIndex = faults.findIndex((f) => f.method === req.method);
    const fault = faultIndex >= 0 ? faults.splice(faultIndex, 1)[0] : undefined;
    const upstream = request(
      { host: targetHost, port: Number(targetPort), method: req.method, path: req.url, headers: req.headers },
      (up) => {
        entry.status = up.statusCode;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.on("close", () => {
      if (!req.complete) upstream.destroy();
    });
    req.on("data", (chunk: Buffer) => {
      entry.bytes += chunk.length;
      if (fault && entry.bytes > fault.afterBytes) {
        if (fault.action === "reset") {
          upstream.destroy();
          req.socket.destroy();
          return;
        }
        // Hold the request forever: the client is expected to die meanwhile.
        req.pause();
        held.push(req);
        stallSeen = true;
        onStall?.();
        return;
      }
      upstream.write(chunk);
    });
    req.on("end", () => upstream.end());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    log,
    faults,
    stalled: () =>
      stallSeen
        ? Promise.resolve()
        : new Promise<void>((r) => {
            onStall = r;
          }),
    count: (method, path) => log.filter((e) => e.method === method && (!path || path.test(e.path))).length,
    close: async () => {
      for (const r of held) r.socket.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
