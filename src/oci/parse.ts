/**
 * Parsing manifests, indexes and configs from raw bytes. The bytes themselves
 * stay the source of truth (their sha256 is the digest); these functions only
 * check and type them, and fail with INVALID_MANIFEST / INVALID_CONFIG naming
 * what was wrong and where.
 */
import type { z } from "zod";
import type { ErrorCode } from "../errors.ts";
import { StrataError } from "../errors.ts";
import { MediaType, manifestKind } from "./media-types.ts";
import {
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  imageConfigSchema,
  imageIndexSchema,
  imageManifestSchema,
} from "./schemas.ts";

/** Where a document came from, for error messages and details. */
export interface ParseContext {
  digest?: string;
  reference?: string;
}

export type ParsedManifest =
  | { kind: "manifest"; mediaType: string; manifest: ImageManifest }
  | { kind: "index"; mediaType: string; index: ImageIndex };

function decodeJson(
  bytes: Uint8Array,
  code: ErrorCode,
  what: string,
  ctx: ParseContext,
): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (cause) {
    throw new StrataError(code, `${what}${where(ctx)} is not valid JSON: ${(cause as Error).message}`, {
      cause,
      details: { ...ctx },
    });
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new StrataError(code, `${what}${where(ctx)} is not a JSON object`, { details: { ...ctx } });
  }
  return doc as Record<string, unknown>;
}

function where(ctx: ParseContext): string {
  if (ctx.reference && ctx.digest) return ` for ${ctx.reference} (${ctx.digest})`;
  if (ctx.reference || ctx.digest) return ` ${ctx.reference ?? ctx.digest}`;
  return "";
}

function check<T extends z.ZodTypeAny>(
  schema: T,
  doc: unknown,
  code: ErrorCode,
  what: string,
  ctx: ParseContext,
): z.infer<T> {
  const result = schema.safeParse(doc);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  throw new StrataError(code, `invalid ${what}${where(ctx)}: ${path}${issue.message}`, {
    cause: result.error,
    details: { ...ctx, issues: result.error.issues },
  });
}

function unsupported(mediaType: string, ctx: ParseContext): StrataError {
  if (manifestKind(mediaType) === "schema1") {
    // Docker ≥ 28's wording for schema 1 images.
    return new StrataError(
      "UNSUPPORTED_MEDIA_TYPE",
      "[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has " +
        `been removed. Suggest the author of ${ctx.reference ?? "the image"} to upgrade the image to the OCI ` +
        "Format or Docker Image manifest v2, schema 2. More information at " +
        "https://docs.docker.com/go/deprecated-image-specs/",
      { details: { ...ctx, mediaType } },
    );
  }
  return new StrataError("UNSUPPORTED_MEDIA_TYPE", `unsupported manifest media type ${mediaType}`, {
    details: { ...ctx, mediaType },
  });
}

/**
 * Parses a manifest or an index. The media type is the document's own
 * `mediaType` field when present, else the registry's Content-Type when that
 * names a manifest type, else it is inferred from the fields (OCI allows the
 * field to be absent).
 */
export function parseManifest(
  bytes: Uint8Array,
  contentType?: string,
  ctx: ParseContext = {},
): ParsedManifest {
  const doc = decodeJson(bytes, "INVALID_MANIFEST", "manifest", ctx);
  if (doc.schemaVersion === 1) throw unsupported(MediaType.DockerManifestV1Signed, ctx);
  const declared = typeof doc.mediaType === "string" ? doc.mediaType : undefined;
  const header = contentType?.split(";")[0].trim();
  let mediaType = declared;
  if (mediaType === undefined && header !== undefined && manifestKind(header) !== "unknown")
    mediaType = header;
  if (mediaType === undefined) {
    if (Array.isArray(doc.manifests)) mediaType = MediaType.OciIndex;
    else if (doc.config !== undefined && Array.isArray(doc.layers)) mediaType = MediaType.OciManifest;
    else
      throw new StrataError("INVALID_MANIFEST", `manifest${where(ctx)} has no media type`, {
        details: { ...ctx },
      });
  }
  const kind = manifestKind(mediaType);
  // A document that claims one kind but carries the other kind's fields is
  // ambiguous (the same digest could be read two ways): refuse it, as containerd does.
  if (kind === "manifest" && doc.manifests !== undefined) {
    throw new StrataError(
      "INVALID_MANIFEST",
      `manifest${where(ctx)} of type ${mediaType} has a manifests field`,
      {
        details: { ...ctx, mediaType },
      },
    );
  }
  if (kind === "index" && (doc.config !== undefined || doc.layers !== undefined)) {
    throw new StrataError(
      "INVALID_MANIFEST",
      `index${where(ctx)} of type ${mediaType} has config or layers`,
      {
        details: { ...ctx, mediaType },
      },
    );
  }
  if (kind === "manifest") {
    return {
      kind,
      mediaType,
      manifest: check(imageManifestSchema, doc, "INVALID_MANIFEST", "manifest", ctx),
    };
  }
  if (kind === "index") {
    return { kind, mediaType, index: check(imageIndexSchema, doc, "INVALID_MANIFEST", "manifest list", ctx) };
  }
  throw unsupported(mediaType, ctx);
}

/** Parses bytes that must be an image manifest (not an index). */
export function parseImageManifest(
  bytes: Uint8Array,
  contentType?: string,
  ctx: ParseContext = {},
): ImageManifest {
  const parsed = parseManifest(bytes, contentType, ctx);
  if (parsed.kind !== "manifest") {
    throw new StrataError(
      "INVALID_MANIFEST",
      `expected an image manifest${where(ctx)}, got ${parsed.mediaType}`,
      {
        details: { ...ctx, mediaType: parsed.mediaType },
      },
    );
  }
  return parsed.manifest;
}

/** Parses bytes that must be an index or manifest list. */
export function parseImageIndex(bytes: Uint8Array, contentType?: string, ctx: ParseContext = {}): ImageIndex {
  const parsed = parseManifest(bytes, contentType, ctx);
  if (parsed.kind !== "index") {
    throw new StrataError(
      "INVALID_MANIFEST",
      `expected a manifest list${where(ctx)}, got ${parsed.mediaType}`,
      {
        details: { ...ctx, mediaType: parsed.mediaType },
      },
    );
  }
  return parsed.index;
}

/** Parses an image config (Docker's container.image.v1 or OCI's image.config.v1). */
export function parseImageConfig(bytes: Uint8Array, ctx: ParseContext = {}): ImageConfig {
  const doc = decodeJson(bytes, "INVALID_CONFIG", "image config", ctx);
  return check(imageConfigSchema, doc, "INVALID_CONFIG", "image config", ctx);
}
