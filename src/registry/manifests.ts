/**
 * Manifests by tag or digest, and manifest pushes. A manifest's digest is
 * the sha256 of its bytes exactly as the registry sent them; when the
 * reference names a digest, the bytes must hash to it (Docker: `manifest
 * verification failed for digest …`).
 */
import { type Digest, sha256Digest } from "../digest/index.ts";
import { RegistryError, StrataError } from "../errors.ts";
import { DEFAULT_MANIFEST_ACCEPT } from "../oci/media-types.ts";
import { familiarString, type Reference } from "../reference/index.ts";
import { readAll } from "./read.ts";
import { type Access, pullScope, pushScope, type Session } from "./session.ts";
import { header } from "./transport.ts";

export interface ManifestResult {
  digest: Digest;
  /** From Content-Type, or the document's own `mediaType` when the header is generic. */
  mediaType: string;
  bytes: Buffer;
}

export interface GetManifestOptions {
  accept?: readonly string[];
  signal?: AbortSignal;
}

/** containerd's limit: a manifest is JSON of a few KiB; anything this big is not one. */
export const MAX_MANIFEST_SIZE = 4 << 20;

function mediaTypeOf(contentType: string | undefined, bytes: Buffer): string {
  const fromHeader = contentType?.split(";")[0].trim().toLowerCase() ?? "";
  if (fromHeader.includes("vnd.")) return fromHeader;
  try {
    const declared = (JSON.parse(bytes.toString("utf8")) as { mediaType?: unknown }).mediaType;
    if (typeof declared === "string") return declared;
  } catch {
    // Not JSON: the parser reports it when the manifest is used.
  }
  return fromHeader;
}

export async function getManifest(
  session: Session,
  ref: Reference,
  opts: GetManifestOptions = {},
): Promise<ManifestResult> {
  // With both a tag and a digest the digest wins (Docker's ParseDockerRef drops the tag).
  const target = ref.digest ?? ref.tag ?? "latest";
  const access: Access = { scopes: [pullScope(ref)], op: "pull", resource: "manifest" };
  const res = await session.call(
    ref,
    {
      method: "GET",
      path: `manifests/${target}`,
      headers: { accept: (opts.accept ?? DEFAULT_MANIFEST_ACCEPT).join(", ") },
    },
    access,
    opts.signal,
  );
  if (res.status !== 200) throw await session.fail(ref, res, "GET", access);
  const bytes = await readAll(
    res.body,
    MAX_MANIFEST_SIZE,
    () =>
      new StrataError(
        "INVALID_MANIFEST",
        `manifest for ${familiarString(ref)} is larger than ${MAX_MANIFEST_SIZE} bytes`,
        {
          details: { reference: familiarString(ref) },
        },
      ),
  );
  const digest = sha256Digest(bytes);
  if (ref.digest && digest !== ref.digest) {
    throw new StrataError("DIGEST_MISMATCH", `manifest verification failed for digest ${ref.digest}`, {
      details: { reference: familiarString(ref), expected: ref.digest, actual: digest },
    });
  }
  return { digest, mediaType: mediaTypeOf(header(res.headers, "content-type"), bytes), bytes };
}

export interface PushManifestOptions {
  signal?: AbortSignal;
}

/** PUTs a manifest under the reference's tag (or digest) and returns its digest. */
export async function pushManifest(
  session: Session,
  ref: Reference,
  bytes: Buffer,
  mediaType: string,
  opts: PushManifestOptions = {},
): Promise<Digest> {
  const digest = sha256Digest(bytes);
  if (ref.digest && ref.digest !== digest) {
    throw new StrataError(
      "DIGEST_MISMATCH",
      `manifest digest ${digest} does not match the reference's ${ref.digest}`,
      {
        details: { reference: familiarString(ref), expected: ref.digest, actual: digest },
      },
    );
  }
  const target = ref.tag ?? digest;
  const access: Access = { scopes: [pushScope(ref)], op: "push", resource: "manifest" };
  const res = await session.call(
    ref,
    {
      method: "PUT",
      path: `manifests/${target}`,
      headers: { "content-type": mediaType, "content-length": String(bytes.length) },
      body: bytes,
    },
    access,
    opts.signal,
  );
  if (res.status !== 201 && res.status !== 200) throw await session.fail(ref, res, "PUT", access);
  await res.body.dump().catch(() => {});
  const echoed = header(res.headers, "docker-content-digest");
  if (echoed && echoed !== digest) {
    throw new RegistryError("DIGEST_MISMATCH", `registry stored manifest as ${echoed}, expected ${digest}`, {
      status: res.status,
      method: "PUT",
      details: { reference: familiarString(ref) },
    });
  }
  return digest;
}
