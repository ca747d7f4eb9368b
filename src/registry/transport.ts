/**
 * HTTP for the registry client: Node's http/https with keep-alive agents
 * (http-send.ts), or undici's proxy agent when HTTP(S)_PROXY is set (Node
 * 20's http ignores those variables; proxy-send.ts loads only then), redirects
 * followed by hand so `Authorization` never leaves the registry's origin
 * (registries send blob GETs to object storage), and the only retry loop in
 * the client: temporary failures (5xx, 429, resets, timeouts) are retried
 * with exponential backoff, nothing else is.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { RegistryError } from "../errors.ts";
import { goOp, isTemporaryStatus, redactUrl } from "./errors.ts";
import { NodeHttpSender, type ResponseBody, type Sender } from "./http-send.ts";
import { isTemporaryNetworkError, networkError } from "./network-errors.ts";

/** A request body that can be sent again: bytes, or a function that opens a fresh stream each time. */
export type RequestBody = Buffer | (() => Readable);

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** Sent only to `url`'s origin: dropped when a redirect leaves it. */
  authorization?: string;
  /** Retry temporary failures (default: true). Off for requests that must not be repeated. */
  retry?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Must be consumed or dumped. */
  body: ResponseBody;
  /** The URL that answered, after redirects. */
  url: URL;
}

export interface TransportOptions {
  maxAttempts?: number;
  /** First backoff delay; doubled after each failed attempt (Docker: 250 ms). */
  retryDelayMs?: number;
  userAgent?: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
const MAX_DELAY_MS = 30_000;

function proxyConfigured(): boolean {
  const env = process.env;
  return Boolean(env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy);
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Retry-After in milliseconds (seconds or an HTTP date), if the server sent one. */
function retryAfterMs(headers: IncomingHttpHeaders): number | undefined {
  const v = header(headers, "retry-after");
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export class Transport {
  private sender?: Sender | Promise<Sender>;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly userAgent: string;

  constructor(opts: TransportOptions = {}) {
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
    this.retryDelayMs = opts.retryDelayMs ?? 250;
    this.userAgent = opts.userAgent ?? `strata/${process.env.STRATA_VERSION ?? "0.1.0"}`;
  }

  /**
   * Sends `req`, following redirects and retrying temporary failures. Error
   * statuses are returned, not thrown (the caller knows what they mean);
   * a request that gets no response at all throws REGISTRY_UNREACHABLE.
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const retry = req.retry ?? true;
    for (let attempt = 1; ; attempt++) {
      const last = !retry || attempt >= this.maxAttempts;
      let res: HttpResponse;
      try {
        res = await this.sendFollowingRedirects(req);
      } catch (err) {
        if (req.signal?.aborted) throw req.signal.reason;
        if (err instanceof RegistryError) throw err;
        if (last || !isTemporaryNetworkError(err)) throw networkError(err, req.method, req.url);
        await this.backoff(attempt, undefined, req.signal);
        continue;
      }
      if (!last && isTemporaryStatus(res.status)) {
        await res.body.dump().catch(() => {});
        await this.backoff(attempt, retryAfterMs(res.headers), req.signal);
        continue;
      }
      return res;
    }
  }

  private async backoff(
    attempt: number,
    serverDelay: number | undefined,
    signal?: AbortSignal,
  ): Promise<void> {
    const exp = this.retryDelayMs * 2 ** (attempt - 1);
    const ms = Math.min(MAX_DELAY_MS, Math.max(exp, serverDelay ?? 0));
    try {
      await sleep(ms, undefined, { signal });
    } catch {
      throw signal?.reason;
    }
  }

  /** The sender, chosen on first use (the environment's proxy settings then). */
  private lower(): Sender | Promise<Sender> {
    this.sender ??= proxyConfigured()
      ? import("./proxy-send.ts").then((m) => new m.ProxySender())
      : new NodeHttpSender();
    return this.sender;
  }

  private async sendFollowingRedirects(req: HttpRequest): Promise<HttpResponse> {
    const origin = req.url.origin;
    let url = req.url;
    let method = req.method;
    const follow = method === "GET" || method === "HEAD";
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { "user-agent": this.userAgent, ...req.headers };
      // Credentials are for the registry only, never for the storage it redirects to.
      if (req.authorization && url.origin === origin) headers.authorization = req.authorization;
      const sendsBody = req.body !== undefined && method !== "GET" && method !== "HEAD";
      const body = !sendsBody ? undefined : Buffer.isBuffer(req.body) ? req.body : req.body!();
      const res = await (await this.lower()).send({ url, method, headers, body, signal: req.signal });
      const location = header(res.headers, "location");
      if (!follow || !REDIRECTS.has(res.status) || !location) {
        return { status: res.status, headers: res.headers, body: res.body, url };
      }
      await res.body.dump().catch(() => {});
      if (hop + 1 >= MAX_REDIRECTS) {
        throw new RegistryError(
          "REGISTRY_ERROR",
          `${goOp(req.method)} "${redactUrl(url)}": stopped after 10 redirects`,
          {
            method: req.method,
            url: redactUrl(url),
          },
        );
      }
      url = new URL(location, url);
      if (res.status === 303) method = "GET";
    }
  }

  async close(): Promise<void> {
    const sender = this.sender;
    this.sender = undefined;
    if (sender) await (await sender).close();
  }
}
