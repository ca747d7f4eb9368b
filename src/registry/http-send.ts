/**
 * One HTTP exchange on Node's own http/https with keep-alive agents: what
 * the transport sends when no proxy is configured. Node's http is part of
 * its snapshot-cached core, so a registry command no longer compiles and
 * runs undici (~560 kB of JavaScript and a WebAssembly parser) at start-up;
 * https (TLS) loads only for the first https URL.
 *
 * Timeouts are undici's defaults, which the transport had: 30 s to connect,
 * 300 s of silence while waiting for headers or body bytes.
 */
import {
  Agent,
  type ClientRequest,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestOptions,
} from "node:http";
import type { Readable } from "node:stream";
import { extraCaContext } from "../sys/extra-ca.ts";

/** A response body: a stream, plus `dump()` to discard it so that its connection is reused. */
export type ResponseBody = Readable & { dump(): Promise<void> };

export interface RawRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer | Readable;
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: ResponseBody;
}

/** Sends one request (no redirects, no retries): the transport's lower half. */
export interface Sender {
  send(req: RawRequest): Promise<RawResponse>;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 30_000;
const IDLE_TIMEOUT_MS = 300_000;
/** A body bigger than this is not worth reading to keep its connection: the socket is dropped. */
const DUMP_LIMIT = 256 * 1024;

function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Reads and discards the rest of `res`; resolves when it has ended, failed or been dropped. */
function dump(res: IncomingMessage): Promise<void> {
  if (res.readableEnded || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    res.on("data", (c: Buffer) => {
      seen += c.length;
      if (seen > DUMP_LIMIT) res.destroy();
    });
    res.once("end", resolve);
    res.once("close", resolve);
    res.once("error", () => resolve());
    res.resume();
  });
}

function asBody(res: IncomingMessage): ResponseBody {
  // A body nobody reads to its end must not turn a late socket error into an uncaught exception.
  res.on("error", () => {});
  return Object.assign(res, { dump: () => dump(res) });
}

type RequestFn = (url: URL, opts: RequestOptions) => ClientRequest;

export class NodeHttpSender implements Sender {
  private readonly httpAgent = new Agent({ keepAlive: true, scheduling: "lifo" });
  private https?: Promise<{ agent: Agent; request: RequestFn }>;

  private secure(): Promise<{ agent: Agent; request: RequestFn }> {
    this.https ??= import("node:https").then((m) => ({
      // NODE_EXTRA_CA_CERTS when the launcher kept it out of Node's start (sys/extra-ca.ts).
      agent: new m.Agent({ keepAlive: true, scheduling: "lifo", secureContext: extraCaContext() }),
      request: m.request as RequestFn,
    }));
    return this.https;
  }

  async send(r: RawRequest): Promise<RawResponse> {
    const tls = r.url.protocol === "https:" ? await this.secure() : undefined;
    const request = tls?.request ?? (httpRequest as RequestFn);
    const agent = tls?.agent ?? this.httpAgent;
    r.signal?.throwIfAborted();
    return new Promise<RawResponse>((resolve, reject) => {
      let response: IncomingMessage | undefined;
      const req = request(r.url, { method: r.method, headers: r.headers, agent });
      // An abort after the response arrived fails its body with the abort's reason, as before it.
      const onAbort = () => {
        const reason = r.signal!.reason as Error;
        response?.destroy(reason);
        req.destroy(reason);
      };
      r.signal?.addEventListener("abort", onAbort, { once: true });
      req.once("close", () => r.signal?.removeEventListener("abort", onAbort));
      req.on("error", (err) => {
        if (!response) reject(err);
      });
      req.setTimeout(IDLE_TIMEOUT_MS, () => {
        const err = codedError(`no data for ${IDLE_TIMEOUT_MS / 1000} s`, "ESOCKETTIMEDOUT");
        response?.destroy(err);
        req.destroy(err);
      });
      req.on("socket", (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(
          () => req.destroy(codedError("connect ETIMEDOUT", "ETIMEDOUT")),
          CONNECT_TIMEOUT_MS,
        );
        timer.unref();
        socket.once("connect", () => clearTimeout(timer));
        socket.once("close", () => clearTimeout(timer));
      });
      req.on("response", (res) => {
        response = res;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: asBody(res) });
      });
      const body = r.body;
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        // A failing source fails the request (the transport reports the source's error).
        body.once("error", (err) => req.destroy(err));
        body.pipe(req);
      }
    });
  }

  async close(): Promise<void> {
    this.httpAgent.destroy();
    if (this.https) (await this.https).agent.destroy();
  }
}
