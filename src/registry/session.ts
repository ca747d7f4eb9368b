/**
 * The core every registry call goes through: the endpoint for the
 * reference's domain, an Authorization header for the scopes the call
 * needs, the request (retried and redirected by the transport), and one
 * fresh try on a 401 that a new challenge or an expired token explains.
 */

import type { RegistryError } from "../errors.ts";
import { familiarName, familiarString, type Reference } from "../reference/index.ts";
import type { Authenticator } from "./auth.ts";
import { parseChallenges } from "./challenge.ts";
import { type Endpoint, resolveEndpoint } from "./endpoint.ts";
import { type ErrorContext, responseError } from "./errors.ts";
import { readText } from "./read.ts";
import type { HttpResponse, RequestBody, Transport } from "./transport.ts";

export interface CallRequest {
  method: string;
  /** A path under `/v2/<repository>/` (`manifests/v1`), or an absolute URL (upload locations). */
  path?: string;
  url?: URL;
  headers?: Record<string, string>;
  body?: RequestBody;
  retry?: boolean;
}

export interface Access {
  /** Token scopes, e.g. `repository:library/ubuntu:pull`. */
  scopes: string[];
  op: ErrorContext["op"];
  resource: ErrorContext["resource"];
}

export function pullScope(ref: Reference): string {
  return `repository:${ref.path}:pull`;
}

export function pushScope(ref: Reference): string {
  return `repository:${ref.path}:pull,push`;
}

export class Session {
  constructor(
    readonly transport: Transport,
    readonly auth: Authenticator,
    private readonly insecureRegistries: readonly string[],
  ) {}

  endpoint(ref: Reference): Endpoint {
    return resolveEndpoint(ref.domain, this.insecureRegistries);
  }

  url(ref: Reference, path: string): URL {
    return new URL(`/v2/${ref.path}/${path}`, this.endpoint(ref).origin);
  }

  /** Sends a request; error statuses are returned for the caller to interpret (see `fail`). */
  async call(ref: Reference, req: CallRequest, access: Access, signal?: AbortSignal): Promise<HttpResponse> {
    const ep = this.endpoint(ref);
    const url = req.url ?? this.url(ref, req.path ?? "");
    const send = async (fresh: boolean) => {
      if (fresh) this.auth.forget(ep, access.scopes);
      // Credentials go to the registry's own origin only (upload locations may point elsewhere).
      const authz =
        url.origin === ep.origin
          ? await this.auth.authorize(ep, access.scopes, { method: req.method, url, signal })
          : { cached: false };
      const res = await this.transport.send({ ...req, url, authorization: authz.header, signal });
      return { res, authz };
    };
    const first = await send(false);
    if (first.res.status !== 401) return first.res;
    const challenges = parseChallenges(first.res.headers["www-authenticate"]);
    const answerable = challenges.some((c) => c.scheme === "bearer" || c.scheme === "basic");
    // Retry once if the 401 came with a challenge we did not answer, or a cached token was refused.
    if (!((first.authz.header === undefined && answerable) || first.authz.cached)) return first.res;
    await first.res.body.dump().catch(() => {});
    this.auth.learn(ep, challenges);
    return (await send(true)).res;
  }

  /** Reads an error response and words it as Docker would. */
  async fail(ref: Reference, res: HttpResponse, method: string, access: Access): Promise<RegistryError> {
    const text = method === "HEAD" ? "" : await readText(res.body, 64 * 1024).catch(() => "");
    if (method === "HEAD") await res.body.dump().catch(() => {});
    return responseError(res.status, text, parseChallenges(res.headers["www-authenticate"]), {
      method,
      url: res.url.toString(),
      op: access.op,
      resource: access.resource,
      name: familiarName(ref),
      ref: familiarString(ref),
    });
  }
}
