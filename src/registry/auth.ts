/**
 * Registry authentication as Docker's client does it: ping `/v2/` once per
 * registry to learn its challenge; for `Bearer`, get a token for the
 * repository scope from the realm (with Basic credentials when configured,
 * anonymously otherwise) and cache it until it expires; for `Basic`, send
 * the configured credentials. A 401 later on (a new challenge, a revoked
 * token) is handled by the client, which asks for a fresh header once.
 */
import { RegistryError } from "../errors.ts";
import { type Challenge, parseChallenges } from "./challenge.ts";
import type { CredentialStore, Credentials } from "./credentials.ts";
import type { Endpoint } from "./endpoint.ts";
import { goOp, redactUrl, responseError } from "./errors.ts";
import { networkError } from "./network-errors.ts";
import { readText } from "./read.ts";
import type { HttpResponse, Transport } from "./transport.ts";

/** The request the header is for: its method and URL appear in errors, as in Go's url.Error. */
export interface AuthTarget {
  method: string;
  url: URL;
  signal?: AbortSignal;
}

export interface Authorization {
  header?: string;
  /** True when a cached token was used: a 401 then deserves one fresh try. */
  cached: boolean;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

interface TokenResponse {
  token?: string;
  access_token?: string;
  expires_in?: number;
  issued_at?: string;
}

/** Tokens without expires_in last 60 s (distribution's token spec). */
const DEFAULT_TOKEN_SECONDS = 60;

export class Authenticator {
  private readonly challenges = new Map<string, Promise<Challenge[]>>();
  private readonly tokens = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly transport: Transport,
    private readonly credentials: CredentialStore,
  ) {}

  /** The registry's challenges, from one `GET /v2/` per registry (Docker's ping). */
  ping(ep: Endpoint, signal?: AbortSignal): Promise<Challenge[]> {
    let known = this.challenges.get(ep.origin);
    if (!known) {
      const url = new URL("/v2/", ep.origin);
      // Shared by concurrent callers, so no caller's signal cancels it; each caller waits with its own.
      known = this.transport.send({ method: "GET", url }).then(async (res) => {
        await res.body.dump().catch(() => {});
        return res.status === 401 ? parseChallenges(res.headers["www-authenticate"]) : [];
      });
      this.challenges.set(ep.origin, known);
      // A failed ping is not remembered: the next request pings again.
      const ping = known;
      ping.catch(() => {
        if (this.challenges.get(ep.origin) === ping) this.challenges.delete(ep.origin);
      });
    }
    return untilAborted(known, signal);
  }

  /** Records a challenge met on a later request (an endpoint that wants auth the ping did not ask for). */
  learn(ep: Endpoint, challenges: Challenge[]): void {
    const usable = challenges.filter((c) => c.scheme === "bearer" || c.scheme === "basic");
    if (usable.length > 0) this.challenges.set(ep.origin, Promise.resolve(usable));
  }

  /** Forgets cached tokens for these scopes, so the next header is fresh. */
  forget(ep: Endpoint, scopes: string[]): void {
    const suffix = `|${[...scopes].sort().join(" ")}`;
    for (const key of this.tokens.keys())
      if (key.startsWith(`${ep.origin}|`) && key.endsWith(suffix)) this.tokens.delete(key);
  }

  /** The Authorization header for a request needing `scopes` (`repository:x:pull`), if any. */
  async authorize(ep: Endpoint, scopes: string[], target: AuthTarget): Promise<Authorization> {
    const challenges = await this.ping(ep, target.signal);
    const creds = await this.credentials.get(ep.host);
    if (creds?.kind === "registry-token") return { header: `Bearer ${creds.token}`, cached: false };
    const bearer = challenges.find((c) => c.scheme === "bearer" && c.params.realm);
    if (bearer) return this.bearer(ep, bearer, scopes, creds, target);
    if (challenges.some((c) => c.scheme === "basic")) {
      if (creds?.kind !== "basic") {
        // Docker's basic handler fails before sending: ErrNoBasicAuthCredentials.
        throw new RegistryError(
          "UNAUTHORIZED",
          `${goOp(target.method)} "${redactUrl(target.url)}": no basic auth credentials`,
          {
            method: target.method,
            url: redactUrl(target.url),
            hint: `log in to ${ep.host} (docker login) or add it to the Docker config`,
            details: { noCredentials: true },
          },
        );
      }
      return { header: basicHeader(creds.username, creds.password), cached: false };
    }
    return { cached: false };
  }

  private async bearer(
    ep: Endpoint,
    challenge: Challenge,
    scopes: string[],
    creds: Credentials | undefined,
    target: AuthTarget,
  ): Promise<Authorization> {
    const who = creds?.kind === "basic" ? creds.username : creds?.kind === "identity-token" ? "<token>" : "";
    const key = `${ep.origin}|${challenge.params.realm}|${challenge.params.service ?? ""}|${who}|${[...scopes].sort().join(" ")}`;
    const existing = this.tokens.get(key);
    if (existing) {
      const t = await untilAborted(existing, target.signal).catch((err) => {
        if (target.signal?.aborted) throw err;
        return undefined; // that fetch failed: try one of our own below
      });
      if (t && t.expiresAt > Date.now()) return { header: `Bearer ${t.token}`, cached: true };
      if (this.tokens.get(key) === existing) this.tokens.delete(key);
    }
    let pending = this.tokens.get(key);
    if (!pending) {
      const fetching = this.fetchToken(challenge, scopes, creds, target);
      pending = fetching;
      this.tokens.set(key, fetching);
      fetching.catch(() => {
        if (this.tokens.get(key) === fetching) this.tokens.delete(key);
      });
    }
    const t = await untilAborted(pending, target.signal);
    return { header: `Bearer ${t.token}`, cached: false };
  }

  /**
   * GET realm?service=…&scope=… (or POST with a refresh token), as distribution's
   * token spec says. Shared by concurrent callers like the ping, so it takes no signal.
   */
  private async fetchToken(
    challenge: Challenge,
    scopes: string[],
    creds: Credentials | undefined,
    target: AuthTarget,
  ): Promise<CachedToken> {
    const realm = new URL(challenge.params.realm);
    const service = challenge.params.service;
    let res: HttpResponse;
    let method = "GET";
    try {
      if (creds?.kind === "identity-token") {
        method = "POST";
        const form = new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: creds.token,
          client_id: "strata",
        });
        if (service) form.set("service", service);
        if (scopes.length > 0) form.set("scope", scopes.join(" "));
        res = await this.transport.send({
          method,
          url: realm,
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: Buffer.from(form.toString()),
        });
      } else {
        if (service) realm.searchParams.set("service", service);
        for (const s of scopes) realm.searchParams.append("scope", s);
        if (creds?.kind === "basic") realm.searchParams.set("account", creds.username);
        res = await this.transport.send({
          method,
          url: realm,
          authorization: creds?.kind === "basic" ? basicHeader(creds.username, creds.password) : undefined,
        });
      }
    } catch (err) {
      // Docker reports token failures against the registry request: Get "registry": Get "realm": …
      const inner = err instanceof RegistryError ? err : networkError(err, method, realm);
      throw wrap(inner, target);
    }
    const text = await readText(res.body);
    if (res.status < 200 || res.status >= 300) {
      const inner = responseError(res.status, text, [], {
        method,
        url: realm.toString(),
        op: "other",
        resource: "other",
        name: "",
        ref: "",
      });
      throw wrap(inner, target);
    }
    let body: TokenResponse;
    try {
      body = JSON.parse(text) as TokenResponse;
    } catch (cause) {
      throw wrap(new RegistryError("UNAUTHORIZED", "unable to decode token response", { cause }), target);
    }
    // Docker Hub sends both; OAuth servers only access_token.
    const token = body.token || body.access_token;
    if (!token) {
      throw wrap(
        new RegistryError("UNAUTHORIZED", "authorization server did not include a token in the response"),
        target,
      );
    }
    const seconds = body.expires_in && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    const issued = body.issued_at ? Date.parse(body.issued_at) : Number.NaN;
    const start = Number.isNaN(issued) ? Date.now() : Math.min(issued, Date.now());
    // Renew a little early so a token does not expire between check and use.
    return { token, expiresAt: start + seconds * 1000 - Math.min(10_000, seconds * 100) };
  }
}

/** `p`, or the signal's reason as soon as it aborts (the shared work itself goes on). */
function untilAborted<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

function wrap(inner: RegistryError, target: AuthTarget): RegistryError {
  return new RegistryError(
    inner.code,
    `${goOp(target.method)} "${redactUrl(target.url)}": ${inner.message}`,
    {
      cause: inner,
      status: inner.status,
      method: target.method,
      url: redactUrl(target.url),
      diagnostics: inner.diagnostics,
      temporary: inner.temporary,
    },
  );
}
