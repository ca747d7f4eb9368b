/**
 * The one place that turns library errors into Docker's words and exit codes.
 */
import { StrataError } from "../errors.ts";

export interface RenderedError {
  message: string;
  exitCode: number;
}

/** Errors Docker reports as coming from its daemon carry this prefix; strata keeps it for fidelity. */
const DAEMON_PREFIX = "Error response from daemon: ";

const DAEMON_CODES = new Set([
  "MANIFEST_UNKNOWN",
  "NAME_UNKNOWN",
  "UNAUTHORIZED",
  "DENIED",
  "REGISTRY_UNREACHABLE",
  "REGISTRY_ERROR",
  "NO_MATCHING_PLATFORM",
  "CONFLICT",
  "IN_USE",
  "NOT_FOUND",
  "RUNTIME_ERROR",
]);

export function renderError(err: unknown): RenderedError {
  if (err instanceof StrataError) {
    // Build failures read as BuildKit's, with no prefix.
    if (err.details.build === true) return { message: err.message, exitCode: 1 };
    // Errors Docker's daemon (not its CLI) reports carry its prefix; `details.daemon` overrides the code's default.
    // `details.prefix` overrides both (Docker's CLI prints its own parse errors bare).
    const prefix =
      typeof err.details.prefix === "string"
        ? err.details.prefix
        : err.details.daemon === false
          ? "Error: "
          : DAEMON_CODES.has(err.code) || err.details.daemon === true
            ? DAEMON_PREFIX
            : err.code === "INVALID_REFERENCE" || err.details.plain === true
              ? ""
              : "Error: ";
    const hint = err.hint ? ` (${err.hint})` : "";
    // Container start failures carry Docker's 125/126/127.
    const exitCode = typeof err.details.exitCode === "number" ? err.details.exitCode : 1;
    return { message: `${prefix}${err.message}${hint}`, exitCode };
  }
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      message: `Error: ${err.message}${code && !err.message.includes(code) ? ` (${code})` : ""}`,
      exitCode: 1,
    };
  }
  return { message: `Error: ${String(err)}`, exitCode: 1 };
}
