/**
 * Requests that got no response, worded like Go's url.Error (`Get "…": dial
 * tcp 127.0.0.1:1: connect: connection refused`) as Docker prints them, and
 * which of them are worth another attempt.
 */
import { RegistryError } from "../errors.ts";
import { goOp, redactUrl } from "./errors.ts";

type NetError = NodeJS.ErrnoException & { hostname?: string; reason?: string };

const TLS_VERIFY: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "certificate signed by unknown authority",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "certificate signed by unknown authority",
  SELF_SIGNED_CERT_IN_CHAIN: "certificate signed by unknown authority",
  DEPTH_ZERO_SELF_SIGNED_CERT: "certificate signed by unknown authority",
  CERT_HAS_EXPIRED: "certificate has expired or is not yet valid",
  CERT_NOT_YET_VALID: "certificate has expired or is not yet valid",
};

/** The first errno-style cause of an error (undici may wrap or aggregate them). */
function rootCause(err: unknown): NetError {
  let e = err as NetError & { errors?: unknown[]; cause?: unknown };
  for (let i = 0; i < 5 && e; i++) {
    if (e.code && e.code !== "UND_ERR" && !(e.errors && e.errors.length > 0)) return e;
    if (e.errors && e.errors.length > 0) e = e.errors[0] as typeof e;
    else if (e.cause) e = e.cause as typeof e;
    else break;
  }
  return e;
}

/** Network errors that may pass on a new attempt. */
export function isTemporaryNetworkError(err: unknown): boolean {
  const code = rootCause(err)?.code;
  return (
    code === "ECONNRESET" ||
    code === "EPIPE" ||
    code === "ETIMEDOUT" ||
    code === "ESOCKETTIMEDOUT" ||
    code === "EAI_AGAIN" ||
    code === "UND_ERR_SOCKET" ||
    code === "UND_ERR_CONNECT_TIMEOUT" ||
    code === "UND_ERR_HEADERS_TIMEOUT" ||
    code === "UND_ERR_BODY_TIMEOUT" ||
    code === "UND_ERR_CLOSED"
  );
}

/** Go's text for a failed dial or read: `dial tcp 127.0.0.1:1: connect: connection refused`. */
export function describeNetworkError(err: unknown, url: URL): string {
  const e = rootCause(err);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  // WHATWG keeps IPv6 brackets in hostname, as Go prints them: [::1]:5000.
  const hostPort = `${url.hostname}:${port}`;
  const tls = e?.code ? TLS_VERIFY[e.code] : undefined;
  if (tls) return `tls: failed to verify certificate: x509: ${tls}`;
  switch (e?.code) {
    case "ECONNREFUSED":
      return `dial tcp ${hostPort}: connect: connection refused`;
    case "ENOTFOUND":
      return `dial tcp: lookup ${url.hostname}: no such host`;
    case "EAI_AGAIN":
      return `dial tcp: lookup ${url.hostname}: temporary failure in name resolution`;
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return `dial tcp ${hostPort}: i/o timeout`;
    case "EHOSTUNREACH":
      return `dial tcp ${hostPort}: connect: no route to host`;
    case "ENETUNREACH":
      return `dial tcp ${hostPort}: connect: network is unreachable`;
    case "ECONNRESET":
      // Node's http words a connection closed early as a reset: Go reads it as an EOF.
      if (e.message === "aborted") return "unexpected EOF";
      if (e.message === "socket hang up") return "EOF";
      return `read tcp ${hostPort}: read: connection reset by peer`;
    case "UND_ERR_SOCKET":
    case "UND_ERR_CLOSED":
      return "EOF";
    case "ESOCKETTIMEDOUT":
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
      return "net/http: timeout awaiting response headers";
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return `tls: failed to verify certificate: x509: ${e.reason ?? e.message}`;
    default:
      return e?.message ?? String(err);
  }
}

/** A request that never got a response: REGISTRY_UNREACHABLE, worded as Go's url.Error. */
export function networkError(err: unknown, method: string, url: URL): RegistryError {
  const temporary = isTemporaryNetworkError(err);
  return new RegistryError(
    "REGISTRY_UNREACHABLE",
    `${goOp(method)} "${redactUrl(url)}": ${describeNetworkError(err, url)}`,
    { cause: err, method, url: redactUrl(url), temporary, details: { code: rootCause(err)?.code } },
  );
}
