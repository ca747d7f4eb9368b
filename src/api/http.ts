/**
 * What every route handler gets, and the small helpers that write Docker's
 * answers: JSON bodies, `{"message": …}` errors, bounded request bodies.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Engine } from "../engine.ts";
import { StrataError } from "../errors.ts";
import type { ApiState } from "./state.ts";

/** The largest JSON body strata reads (Docker's create bodies are a few KB). */
export const MAX_JSON_BODY = 1 << 20;

export interface Ctx {
  req: IncomingMessage;
  /** Absent on a hijacked (Upgrade) request: write to `socket` instead. */
  res?: ServerResponse;
  /** The connection, for hijacked requests (attach, exec start). */
  socket?: Duplex;
  /** Bytes already read past the request's headers on a hijacked connection. */
  head?: Buffer;
  params: Record<string, string | undefined>;
  query: URLSearchParams;
  /** The API version the client asked for (the path prefix), or the server's. */
  version: string;
  engine: Engine;
  state: ApiState;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

export type Handler = (ctx: Ctx) => Promise<void> | void;

/** An error with the HTTP status Docker gives it. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function res(ctx: Ctx): ServerResponse {
  if (!ctx.res) throw new HttpError(400, "this endpoint cannot be used with a connection upgrade");
  return ctx.res;
}

export function sendJson(ctx: Ctx, status: number, body: unknown): void {
  const out = res(ctx);
  const data = Buffer.from(`${JSON.stringify(body)}\n`);
  out.writeHead(status, { "Content-Type": "application/json", "Content-Length": data.length });
  out.end(data);
}

/** A status without a body (204 No Content, 304 Not Modified, 201 for tag). */
export function sendEmpty(ctx: Ctx, status: number): void {
  const out = res(ctx);
  out.writeHead(status);
  out.end();
}

/** Docker's boolean query values: 1/true/True (anything but "", 0, false). */
export function boolParam(q: URLSearchParams, name: string, dflt = false): boolean {
  const v = q.get(name);
  if (v === null || v === "") return dflt;
  return !(v === "0" || v.toLowerCase() === "false");
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new HttpError(400, `invalid value for ${name}: ${v}`);
  return n;
}

/**
 * Reads a request body of at most `limit` bytes; more is a 413. A declared
 * length over the limit is refused before a byte is read; the connection is
 * closed after the answer (server.ts) rather than the rest drained.
 */
export async function readBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, `request body is larger than ${limit} bytes`);
  if (Number(req.headers["content-length"] ?? 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The request's JSON body; an empty body is `{}`, malformed JSON a 400 as Docker words it. */
export async function readJson<T = Record<string, unknown>>(ctx: Ctx): Promise<T> {
  const body = await readBody(ctx.req);
  return parseJsonBody<T>(body);
}

export function parseJsonBody<T>(body: Buffer): T {
  if (body.length === 0 || body.toString().trim() === "") return {} as T;
  try {
    const v = JSON.parse(body.toString("utf8"));
    if (v === null) return {} as T;
    if (typeof v !== "object" || Array.isArray(v)) throw new Error("not an object");
    return v as T;
  } catch (err) {
    throw new HttpError(400, `invalid JSON: ${(err as Error).message}`);
  }
}

/** Docker's `filters` query parameter: `{"key":["v"]}` or the old `{"key":{"v":true}}`. */
export function filterArgs(q: URLSearchParams): string[] {
  const raw = q.get("filters");
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new HttpError(400, `invalid filter: ${raw}`);
  }
  if (parsed === null || typeof parsed !== "object") throw new HttpError(400, `invalid filter: ${raw}`);
  const out: string[] = [];
  for (const [key, values] of Object.entries(parsed as Record<string, unknown>)) {
    const list = Array.isArray(values) ? values : Object.keys((values as Record<string, unknown>) ?? {});
    for (const v of list) out.push(`${key}=${String(v)}`);
  }
  return out;
}

export function badRequest(message: string): StrataError {
  return new StrataError("INVALID_ARGUMENT", message);
}
