/**
 * One error type for the whole library. Callers branch on `code`, never on
 * messages; Docker's wording lives only in the CLI (src/cli/errors.ts).
 */
export type ErrorCode =
  | "INVALID_REFERENCE"
  | "INVALID_ARGUMENT"
  | "NOT_FOUND"
  | "MANIFEST_UNKNOWN"
  | "NAME_UNKNOWN"
  | "BLOB_UNKNOWN"
  | "UNAUTHORIZED"
  | "DENIED"
  | "REGISTRY_UNREACHABLE"
  | "REGISTRY_ERROR"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "NO_MATCHING_PLATFORM"
  | "INVALID_MANIFEST"
  | "INVALID_CONFIG"
  | "DIGEST_MISMATCH"
  | "SIZE_MISMATCH"
  | "DIFF_ID_MISMATCH"
  | "CORRUPT_LAYER"
  | "COMPRESS_FAILED"
  | "UNSAFE_PATH"
  | "CONFLICT"
  | "AMBIGUOUS_ID"
  | "IN_USE"
  | "ALREADY_EXISTS"
  | "INVALID_TEMPLATE"
  | "RUNTIME_MISSING"
  | "RUNTIME_ERROR"
  | "STORE_CORRUPT"
  | "ABORTED"
  | "INTERNAL";

export interface StrataErrorOptions {
  cause?: unknown;
  /** A short suggestion for the user: what to run or install. */
  hint?: string;
  /** Structured context (the reference, digest, path …) for callers and logs. */
  details?: Record<string, unknown>;
}

export class StrataError extends Error {
  override readonly name: string = "StrataError";
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: StrataErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }
}

/** A registry diagnostic as the Distribution spec returns it ({code, message, detail}). */
export interface RegistryDiagnostic {
  code: string;
  message?: string;
  detail?: unknown;
}

export interface RegistryErrorOptions extends StrataErrorOptions {
  status?: number;
  method?: string;
  /** The request URL with credentials and query tokens removed. */
  url?: string;
  diagnostics?: RegistryDiagnostic[];
  /** True when the same request may succeed if tried again (5xx, 429, resets). */
  temporary?: boolean;
}

export class RegistryError extends StrataError {
  override readonly name = "RegistryError";
  readonly status?: number;
  readonly method?: string;
  readonly url?: string;
  readonly diagnostics: RegistryDiagnostic[];
  readonly temporary: boolean;

  constructor(code: ErrorCode, message: string, options: RegistryErrorOptions = {}) {
    super(code, message, options);
    this.status = options.status;
    this.method = options.method;
    this.url = options.url;
    this.diagnostics = options.diagnostics ?? [];
    this.temporary = options.temporary ?? false;
  }
}

export function isStrataError(err: unknown, code?: ErrorCode): err is StrataError {
  return err instanceof StrataError && (code === undefined || err.code === code);
}
