/**
 * `strata system service`: the Docker Engine API on a unix socket, served
 * by one long-lived process over the same store the CLI uses (the store's
 * locks keep both safe at once). It exits after `idleSeconds` without a
 * request in flight; hijacked and streaming connections count as activity.
 */
import { chmodSync, mkdirSync, rmSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { dirname } from "node:path";
import type { Duplex } from "node:stream";
import type { Engine } from "../engine.ts";
import { apiError } from "./errors.ts";
import type { Ctx } from "./http.ts";
import { allRoutes } from "./routes/index.ts";
import { ApiState } from "./state.ts";
import { API_VERSION, MIN_API_VERSION, serverHeaders } from "./version.ts";

export const DEFAULT_SOCKET = "/run/strata/docker.sock";

export interface ServeOptions {
  engine: Engine;
  /** The socket's path (default /run/strata/docker.sock). */
  socket?: string;
  /** Seconds without activity before the service exits; 0 = never (default 5). */
  idleSeconds?: number;
}

export interface Service {
  server: Server;
  socket: string;
  /** Settles when the service has stopped (idle, or close()). */
  done: Promise<void>;
  close(): Promise<void>;
}

const compare = (a: string, b: string) => {
  const [x = 0, y = 0] = a.split(".").map(Number);
  const [u = 0, v = 0] = b.split(".").map(Number);
  return x - u || y - v;
};

/** Docker's answer for a version prefix it does not serve (moby's versionMiddleware). */
function versionError(v: string): string | null {
  if (compare(v, MIN_API_VERSION) < 0) {
    return `client version ${v} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`;
  }
  if (compare(v, API_VERSION) > 0) {
    return `client version ${v} is too new. Maximum supported API version is ${API_VERSION}`;
  }
  return null;
}

function writeError(
  res: ServerResponse | undefined,
  socket: Duplex | undefined,
  status: number,
  message: string,
) {
  const body = `${JSON.stringify({ message })}\n`;
  if (res) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const headers = { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) };
    // A refused body is not read on: the connection ends with the answer.
    res.writeHead(status, status === 413 ? { ...headers, Connection: "close" } : headers);
    res.end(body);
    return;
  }
  if (socket && !socket.destroyed) {
    const reason =
      status === 404 ? "Not Found" : status === 409 ? "Conflict" : status === 400 ? "Bad Request" : "Error";
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
}

export async function serve(opts: ServeOptions): Promise<Service> {
  const path = opts.socket ?? DEFAULT_SOCKET;
  const idleMs = (opts.idleSeconds ?? 5) * 1000;
  const routes = allRoutes();
  const state = new ApiState();
  let active = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let stop: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    stop = resolve;
  });

  const armIdle = () => {
    if (idleMs <= 0 || active > 0) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => void close(), idleMs);
  };
  const begin = (gone: () => void) => {
    active++;
    clearTimeout(idleTimer);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      active--;
      gone();
      armIdle();
    };
  };

  const dispatch = async (
    req: IncomingMessage,
    res: ServerResponse | undefined,
    socket?: Duplex,
    head?: Buffer,
  ) => {
    const abort = new AbortController();
    const end = begin(() => abort.abort());
    if (res) res.once("close", end);
    else socket?.once("close", end);
    let path = "/";
    let query = new URLSearchParams();
    try {
      const url = new URL(req.url ?? "/", "http://docker");
      path = url.pathname;
      query = url.searchParams;
    } catch {
      writeError(res, socket, 400, `invalid request URL: ${req.url}`);
      return;
    }
    let version = API_VERSION;
    const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
    if (m) {
      version = m[1] as string;
      path = m[2] as string;
      const bad = versionError(version);
      if (bad) {
        writeError(res, socket, 400, bad);
        return;
      }
    }
    if (res) for (const [k, v] of Object.entries(serverHeaders())) res.setHeader(k, v);
    const found = routes.find(req.method ?? "GET", path);
    if (!found || (socket && !found.route.hijack)) {
      writeError(res, socket, 404, `page not found`);
      return;
    }
    const ctx: Ctx = {
      req,
      res,
      socket,
      head,
      params: found.params,
      query,
      version,
      engine: opts.engine,
      state,
      signal: abort.signal,
    };
    try {
      await found.route.handler(ctx);
    } catch (err) {
      const { status, message } = apiError(err);
      writeError(res, socket, status, message);
    }
  };

  // Request headers up to 64 KiB: dockerode repeats every create option in the query string.
  const server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => void dispatch(req, res));
  // Hijacked connections leave the HTTP server's bookkeeping: close() cuts them from this set.
  const hijacked = new Set<Duplex>();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    hijacked.add(socket);
    socket.once("close", () => hijacked.delete(socket));
    // A hijacked connection is no longer the HTTP server's: a client gone mid-write (EPIPE,
    // ECONNRESET) would otherwise be an unhandled error that ends the whole service.
    socket.on("error", () => socket.destroy());
    void dispatch(req, undefined, socket, head);
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });

  mkdirSync(dirname(path), { recursive: true });
  // A socket file left by a service that is gone would make listen fail; a live one must not be taken over.
  if (existsSocket(path)) {
    if (await answers(path)) throw new Error(`another service is listening on ${path}`);
    rmSync(path, { force: true });
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // Root and the socket's group, as Docker's docker group.
  chmodSync(path, 0o660);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      clearTimeout(idleTimer);
      // Streams (logs -f, stats, events) and hijacked attach/exec connections never end on their
      // own: after a moment's grace they are cut, as dockerd's shutdown does, or close would wait forever.
      const cut = setTimeout(() => {
        server.closeAllConnections();
        for (const s of hijacked) s.destroy();
      }, 1000);
      server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      server.closeIdleConnections();
    }).then(() => {
      rmSync(path, { force: true });
      stop();
    });
    return closing;
  };
  armIdle();
  return { server, socket: path, done, close };
}

function existsSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/** Whether something accepts connections on a unix socket (a live service, not a stale file). */
export async function answers(path: string): Promise<boolean> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const s = connect(path);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
