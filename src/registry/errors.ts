/**
 * Registry failures in Docker's words. HTTP errors follow distribution's
 * client (`HandleErrorResponse`) and moby's `translatePullError`; network
 * failures read like Go's `url.Error` (`Get "…": dial tcp …: connect:
 * connection refused`), because that is what Docker users know and search.
 */
import type { ErrorCode, RegistryDiagnostic } from "../errors.ts";
import { RegistryError } from "../errors.ts";
import type { Challenge } from "./challenge.ts";

/** What a request was for: decides the code of a bare 404 and the wording of pull errors. */
export interface ErrorContext {
  method: string;
  url: string;
  /** `pull` adds Docker's pull wording (`manifest for x not found`, `pull access denied for x`). */
  op: "pull" | "push" | "other";
  /** The resource, for a bare 404 without an error body. */
  resource: "manifest" | "blob" | "upload" | "other";
  /** Familiar name (`ubuntu`) and familiar string (`ubuntu:latest`) of the reference. */
  name: string;
  ref: string;
}

const ERRCODE_TO_CODE: Record<string, ErrorCode> = {
  MANIFEST_UNKNOWN: "MANIFEST_UNKNOWN",
  NAME_UNKNOWN: "NAME_UNKNOWN",
  BLOB_UNKNOWN: "BLOB_UNKNOWN",
  UNAUTHORIZED: "UNAUTHORIZED",
  DENIED: "DENIED",
};

/** Default messages of the codes a challenge can carry (errcode `Message()`). */
const CHALLENGE_ERRORS: Record<string, { code: string; message: string }> = {
  invalid_token: { code: "UNAUTHORIZED", message: "authentication required" },
  insufficient_scope: { code: "DENIED", message: "requested access to the resource is denied" },
};

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  416: "Requested Range Not Satisfiable",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** Go's `http.Request.Method` as url.Error prints it: `Get`, `Head`, `Put`. */
export function goOp(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();
}

/** The URL without user info or query (which can hold signatures and upload state). */
export function redactUrl(url: string | URL): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return String(url).split("?")[0];
  }
}

/** errcode's `Code.Error()`: `MANIFEST_UNKNOWN` → `manifest unknown`. */
function codeText(code: string): string {
  return code.toLowerCase().replace(/_/g, " ");
}

function parseDiagnostics(
  status: number,
  body: string,
): { diagnostics: RegistryDiagnostic[]; parseError?: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    // Go's encoding/json texts, as distribution's client reports them.
    const parseError =
      body.trim() === ""
        ? "unexpected end of JSON input"
        : `invalid character '${body.trimStart()[0]}' looking for beginning of value`;
    return { diagnostics: [], parseError };
  }
  if (doc && typeof doc === "object") {
    const details = (doc as { details?: unknown }).details;
    // Old token servers answer {"details": "…"} (Docker Hub's "incorrect username or password").
    if (typeof details === "string" && details !== "") {
      const code = status === 401 ? "UNAUTHORIZED" : status === 429 ? "TOOMANYREQUESTS" : "UNKNOWN";
      return { diagnostics: [{ code, message: details }] };
    }
    const errors = (doc as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      return {
        diagnostics: errors.map((e) => ({
          code: String((e as RegistryDiagnostic)?.code ?? "UNKNOWN"),
          message: typeof e?.message === "string" ? e.message : undefined,
          detail: e?.detail,
        })),
      };
    }
  }
  return { diagnostics: [], parseError: "no error details found in HTTP response body" };
}

function fallbackCode(status: number, ctx: ErrorContext): ErrorCode {
  if (status === 401) return "UNAUTHORIZED";
  if (status === 403) return "DENIED";
  if (status === 404) {
    if (ctx.resource === "manifest") return "MANIFEST_UNKNOWN";
    if (ctx.resource === "blob") return "BLOB_UNKNOWN";
    return "NOT_FOUND";
  }
  return "REGISTRY_ERROR";
}

/** True for failures that may pass if the same request is sent again. */
export function isTemporaryStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Turns an error response into a RegistryError worded as Docker words it. */
export function responseError(
  status: number,
  body: string,
  challenges: Challenge[],
  ctx: ErrorContext,
): RegistryError {
  const base = { status, method: ctx.method, url: redactUrl(ctx.url), temporary: isTemporaryStatus(status) };
  if (status >= 500 || status < 400) {
    // distribution's client does not read 5xx bodies: UnexpectedHTTPStatusError.
    return new RegistryError(
      "REGISTRY_ERROR",
      `received unexpected HTTP status: ${status} ${STATUS_TEXT[status] ?? ""}`.trimEnd(),
      { ...base, details: { body: body.slice(0, 1024) } },
    );
  }
  let { diagnostics, parseError } = parseDiagnostics(status, body);
  // A Bearer challenge's `error` (RFC 6750) comes first, as mergeErrors puts it.
  const bearer = challenges.find((c) => c.scheme === "bearer" && CHALLENGE_ERRORS[c.params.error ?? ""]);
  if (bearer) {
    const known = CHALLENGE_ERRORS[bearer.params.error];
    diagnostics = [
      { code: known.code, message: bearer.params.error_description || known.message },
      ...diagnostics,
    ];
    parseError = undefined;
  }
  if (diagnostics.length === 0 && status === 401) {
    diagnostics = [{ code: "UNAUTHORIZED", message: "authentication required" }];
    parseError = undefined;
  }
  if (diagnostics.length === 0) {
    const quoted = JSON.stringify(body.length > 512 ? `${body.slice(0, 512)}…` : body);
    return new RegistryError(
      fallbackCode(status, ctx),
      `error parsing HTTP ${status} response body: ${parseError}: ${quoted}`,
      base,
    );
  }
  const first = diagnostics[0];
  const code =
    ERRCODE_TO_CODE[first.code] ??
    (first.code === "TOOMANYREQUESTS" ? "REGISTRY_ERROR" : fallbackCode(status, ctx));
  const plain = `${codeText(first.code)}: ${first.message ?? ""}`;
  let message = plain;
  if (ctx.op === "pull") {
    if (first.code === "DENIED") {
      message = `pull access denied for ${ctx.name}, repository does not exist or may require 'docker login': ${plain}`;
    } else if (first.code === "MANIFEST_UNKNOWN") {
      message = `manifest for ${ctx.ref} not found: ${plain}`;
    } else if (first.code === "NAME_UNKNOWN") {
      message = `repository ${ctx.name} not found: ${plain}`;
    }
  }
  return new RegistryError(code, message, { ...base, diagnostics });
}

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
      return `read tcp ${hostPort}: read: connection reset by peer`;
    case "UND_ERR_SOCKET":
    case "UND_ERR_CLOSED":
      return "EOF";
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
