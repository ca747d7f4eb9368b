/**
 * Requests through the proxy that HTTP_PROXY / HTTPS_PROXY name (NO_PROXY
 * honoured), with undici's EnvHttpProxyAgent: it tunnels with CONNECT, which
 * Node 20's http cannot do by itself. Loaded only when a proxy is configured.
 */
import type { Readable } from "node:stream";
import { extraCaContext } from "../sys/extra-ca.ts";
import type { RawRequest, RawResponse, ResponseBody, Sender } from "./http-send.ts";
import { type Dispatcher, EnvHttpProxyAgent } from "./undici.ts";

export class ProxySender implements Sender {
  private readonly dispatcher = new EnvHttpProxyAgent({
    keepAliveTimeout: 30_000,
    connect: { timeout: 30_000, secureContext: extraCaContext() },
    // Through a proxy: the TLS to the registry, and to an https proxy (sys/extra-ca.ts).
    requestTls: { secureContext: extraCaContext() },
    proxyTls: { secureContext: extraCaContext() },
  });

  async send(r: RawRequest): Promise<RawResponse> {
    const res = await this.dispatcher.request({
      origin: r.url.origin,
      path: r.url.pathname + r.url.search,
      method: r.method as Dispatcher.HttpMethod,
      headers: r.headers,
      body: r.body as Buffer | Readable | undefined,
      signal: r.signal,
    });
    return { status: res.statusCode, headers: res.headers, body: res.body as unknown as ResponseBody };
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
