/**
 * Library errors as Docker's daemon answers them: `{"message": …}` with the
 * status its errdefs give (404 not found, 409 conflict, 400 bad parameter,
 * 500 anything else). The message is the library's, which already uses
 * Docker's words; the docker CLI adds its own "Error response from daemon: ".
 */
import { type ErrorCode, StrataError } from "../errors.ts";
import { HttpError } from "./http.ts";

const STATUS: Partial<Record<ErrorCode, number>> = {
  NOT_FOUND: 404,
  MANIFEST_UNKNOWN: 404,
  NAME_UNKNOWN: 404,
  BLOB_UNKNOWN: 404,
  INVALID_REFERENCE: 400,
  INVALID_ARGUMENT: 400,
  INVALID_TEMPLATE: 400,
  AMBIGUOUS_ID: 400,
  NO_MATCHING_PLATFORM: 400,
  CONFLICT: 409,
  IN_USE: 409,
  ALREADY_EXISTS: 409,
  UNAUTHORIZED: 401,
  DENIED: 403,
};

export interface ApiError {
  status: number;
  message: string;
}

export function apiError(err: unknown): ApiError {
  if (err instanceof HttpError) return { status: err.status, message: err.message };
  if (err instanceof StrataError) {
    const hint = err.hint ? ` (${err.hint})` : "";
    return { status: STATUS[err.code] ?? 500, message: `${err.message}${hint}` };
  }
  return { status: 500, message: err instanceof Error ? err.message : String(err) };
}
