/**
 * A plain HTTP(S) GET of a URL, for `import URL` (Docker's daemon fetches
 * the tarball itself, remotecontext.GetWithStatusError): redirects followed,
 * a status ≥ 400 is Docker's `failed to GET URL with status 404 Not Found:
 * BODY`, and a request that never got a response is worded as Go's url.Error.
 * node:http is enough here (one request, no auth, no pooling), and it keeps
 * the server's own reason phrase, which Docker shows.
 */
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { RegistryError } from "../errors.ts";
import { extraCaContext } from "../sys/extra-ca.ts";
import { networkError } from "./network-errors.ts";

const MAX_REDIRECTS = 10;
/** How much of an error page goes into the message. */
const MAX_ERROR_BODY = 4096;

async function get(url: URL, signal?: AbortSignal): Promise<IncomingMessage> {
  const tls = url.protocol === "https:";
  const lib = tls ? await import("node:https") : await import("node:http");
  return new Promise((resolve, reject) => {
    const req = lib.get(url, { signal, ...(tls ? { secureContext: extraCaContext() } : {}) }, resolve);
    req.on("error", (err) => reject(networkError(err, "GET", url)));
  });
}

async function errorBody(res: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of res) {
    text += chunk;
    if (text.length > MAX_ERROR_BODY) {
      res.destroy();
      break;
    }
  }
  return text.slice(0, MAX_ERROR_BODY);
}

/** The response body of `GET url`, once the server answered 2xx. */
export async function openUrl(raw: string, opts: { signal?: AbortSignal } = {}): Promise<Readable> {
  let url = new URL(raw);
  for (let i = 0; i <= MAX_REDIRECTS; i++) {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new RegistryError("REGISTRY_ERROR", `unsupported protocol scheme "${url.protocol.slice(0, -1)}"`);
    }
    const res = await get(url, opts.signal);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && location) {
      res.resume();
      url = new URL(location, url);
      continue;
    }
    if (status >= 400) {
      const body = await errorBody(res);
      throw new RegistryError(
        "REGISTRY_ERROR",
        `failed to GET ${raw} with status ${status} ${res.statusMessage ?? ""}: ${body}`.replace(/\s+$/, ""),
        { status, method: "GET", url: url.toString() },
      );
    }
    return res;
  }
  throw new RegistryError("REGISTRY_ERROR", `Get "${raw}": stopped after ${MAX_REDIRECTS} redirects`);
}
