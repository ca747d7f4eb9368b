/**
 * Registry failures in Docker's words. HTTP errors follow distribution's
 * client (`HandleErrorResponse`) and moby's `translatePullError`, because
 * that is what Docker users know and search for. Network failures are in
 * network-errors.ts.
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
