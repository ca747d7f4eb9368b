/**
 * Hijacked connections, as Docker's attach and exec start use them: the
 * request's answer is a status line and headers written straight onto the
 * socket, after which the socket carries the process's input one way and its
 * output the other, until the process ends and strata closes it.
 *
 * Two forms reach the server: `Connection: Upgrade` + `Upgrade: tcp` (the
 * docker CLI, dockerode), answered `101 UPGRADED`, and a plain request
 * (testcontainers' exec), answered `200 OK`; moby writes exactly these lines.
 * On an upgrade Node leaves the request body unread: it is read here (by
 * Content-Length or chunked) so that a JSON body (dockerode sends its options)
 * never reaches the container's stdin.
 */
import { type Duplex, PassThrough, type Readable, type Writable } from "node:stream";
import { type Ctx, HttpError, MAX_JSON_BODY } from "./http.ts";

const RAW = "application/vnd.docker.raw-stream";
const MULTIPLEXED = "application/vnd.docker.multiplexed-stream";

function versionAtLeast(v: string, min: string): boolean {
  const [a = 0, b = 0] = v.split(".").map(Number);
  const [c = 0, d = 0] = min.split(".").map(Number);
  return a > c || (a === c && b >= d);
}

/** Reads the body of an upgraded request off the socket; what follows it is the stream's input. */
export function readUpgradeBody(ctx: Ctx): Promise<{ body: Buffer; rest: Buffer }> {
  const socket = ctx.socket as Duplex;
  const length = Number(ctx.req.headers["content-length"] ?? 0);
  const chunked = /chunked/i.test(String(ctx.req.headers["transfer-encoding"] ?? ""));
  if (!chunked && !(length > 0))
    return Promise.resolve({ body: Buffer.alloc(0), rest: ctx.head ?? Buffer.alloc(0) });
  if (length > MAX_JSON_BODY) return Promise.reject(new HttpError(413, "request body too large"));
  return new Promise((resolve, reject) => {
    let buf = ctx.head ?? Buffer.alloc(0);
    const check = (): boolean => {
      const done = chunked
        ? chunkedEnd(buf)
        : buf.length >= length
          ? { body: buf.subarray(0, length), end: length }
          : null;
      if (!done) {
        if (buf.length > MAX_JSON_BODY + 64) {
          cleanup();
          reject(new HttpError(413, "request body too large"));
          return true;
        }
        return false;
      }
      cleanup();
      resolve({ body: done.body, rest: buf.subarray(done.end) });
      return true;
    };
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      check();
    };
    const onEnd = () => {
      cleanup();
      reject(new HttpError(400, "connection closed before the request body ended"));
    };
    const cleanup = () => {
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.pause();
    };
    if (check()) return;
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.resume();
  });
}

/** A complete chunked body in `buf`: its bytes and where it ends, or null while incomplete. */
function chunkedEnd(buf: Buffer): { body: Buffer; end: number } | null {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = buf.indexOf("\r\n", pos);
    if (eol < 0) return null;
    const size = Number.parseInt(buf.subarray(pos, eol).toString().split(";")[0] as string, 16);
    if (Number.isNaN(size)) throw new HttpError(400, "malformed chunked body");
    if (size === 0) {
      const trailerEnd = buf.indexOf("\r\n", eol + 2);
      if (trailerEnd < 0) return null;
      return { body: Buffer.concat(parts), end: trailerEnd + 2 };
    }
    if (buf.length < eol + 2 + size + 2) return null;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
}

export interface Hijacked {
  /** Where the process's output goes. */
  output: Writable;
  /** The client's input after the request body; null in the plain form, whose body was the request's. */
  input: Readable | null;
  /** Ends the connection, output flushed first (a never-closed exec hangs every client). */
  close(): void;
  /** Calls `fn` once when the client goes away. */
  onGone(fn: () => void): void;
}

/**
 * Writes the hijack answer and returns the connection. `multiplexed`: the
 * output is framed (no terminal), which API 1.42+ names in the content type
 * of an upgrade answer.
 */
export function hijack(ctx: Ctx, multiplexed: boolean, rest: Buffer): Hijacked {
  if (ctx.socket) {
    const socket = ctx.socket;
    const type = multiplexed && versionAtLeast(ctx.version, "1.42") ? MULTIPLEXED : RAW;
    socket.write(
      `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${type}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`,
    );
    let input: Readable = socket;
    if (rest.length > 0) {
      const joined = new PassThrough();
      joined.write(rest);
      socket.pipe(joined);
      input = joined;
    }
    return {
      output: socket,
      input,
      close: () => {
        if (socket.destroyed) return;
        socket.end(() => socket.destroy());
        // A client that never reads must not keep the socket forever.
        setTimeout(() => socket.destroy(), 5000).unref();
      },
      onGone: (fn) => socket.once("close", fn),
    };
  }
  // The plain form: a 200 whose body is the raw stream until strata closes the connection, as
  // moby writes it (no chunked encoding: removing Transfer-Encoding makes Node send the bytes as they are).
  const res = ctx.res!;
  res.removeHeader("Transfer-Encoding");
  res.writeHead(200, { "Content-Type": RAW, Connection: "close" });
  res.flushHeaders();
  return {
    output: res,
    input: null,
    close: () => {
      if (!res.writableEnded) res.end();
    },
    onGone: (fn) => res.once("close", fn),
  };
}

/**
 * An error once the stream is hijacked: moby writes its text on the stream
 * (through the stdout framing when there is one), then closes it.
 */
export function closeHijackedOnError(h: Hijacked, err: unknown, out: Writable = h.output): void {
  const text = `${err instanceof Error ? err.message : String(err)}\r\n`;
  if (out === h.output) {
    h.output.write(text);
    h.close();
    return;
  }
  out.write(text, () => h.close());
}
