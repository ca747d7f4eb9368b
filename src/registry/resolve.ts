/**
 * From a name to the one image manifest and config to pull: fetch what the
 * tag points at; for an index, walk its entries for the platform in
 * containerd's preference order (nested indexes too, entries of unknown
 * types skipped); then fetch the config, verified.
 */
import type { Digest } from "../digest/index.ts";
import { isStrataError, StrataError } from "../errors.ts";
import {
  CONFIG_MEDIA_TYPES,
  hostPlatform,
  type ImageManifest,
  matchManifests,
  noMatchingManifest,
  type Platform,
  parseManifest,
} from "../oci/index.ts";
import { familiarString, nameOnly, type Reference, withDigest } from "../reference/index.ts";
import { fetchBlob } from "./blobs.ts";
import { getManifest, type ManifestResult } from "./manifests.ts";
import type { Session } from "./session.ts";

export interface ResolvedImage {
  /** What the reference resolved to: the index for a multi-platform image (Docker's `Digest:` line). */
  topDigest: Digest;
  topMediaType: string;
  manifest: ManifestResult & { parsed: ImageManifest };
  config: { digest: Digest; bytes: Buffer };
}

export interface ResolveOptions {
  /** Default: the host's platform. */
  platform?: Platform;
  signal?: AbortSignal;
}

const MAX_INDEX_DEPTH = 4;

async function pickManifest(
  session: Session,
  ref: Reference,
  m: ManifestResult,
  platform: Platform,
  depth: number,
  signal?: AbortSignal,
): Promise<ManifestResult & { parsed: ImageManifest }> {
  const parsed = parseManifest(m.bytes, m.mediaType, { reference: familiarString(ref), digest: m.digest });
  if (parsed.kind === "manifest") return { ...m, mediaType: parsed.mediaType, parsed: parsed.manifest };
  if (depth >= MAX_INDEX_DEPTH) {
    throw new StrataError(
      "INVALID_MANIFEST",
      `manifest lists of ${familiarString(ref)} are nested too deeply`,
    );
  }
  for (const desc of matchManifests(parsed.index, platform)) {
    const child = await getManifest(session, withDigest(nameOnly(ref), desc.digest), { signal });
    try {
      return await pickManifest(session, ref, child, platform, depth + 1, signal);
    } catch (err) {
      // The first usable entry wins: skip entries that turn out unreadable or empty for us.
      if (isStrataError(err, "UNSUPPORTED_MEDIA_TYPE") || isStrataError(err, "NO_MATCHING_PLATFORM"))
        continue;
      throw err;
    }
  }
  throw noMatchingManifest(platform);
}

export async function resolveImage(
  session: Session,
  ref: Reference,
  opts: ResolveOptions = {},
): Promise<ResolvedImage> {
  const top = await getManifest(session, ref, { signal: opts.signal });
  const manifest = await pickManifest(session, ref, top, opts.platform ?? hostPlatform(), 0, opts.signal);
  const topMediaType =
    manifest.digest === top.digest ? manifest.mediaType : parseManifest(top.bytes, top.mediaType).mediaType;
  const configDesc = manifest.parsed.config;
  if (!CONFIG_MEDIA_TYPES.includes(configDesc.mediaType)) {
    throw new StrataError(
      "UNSUPPORTED_MEDIA_TYPE",
      `${familiarString(ref)} is not a container image: its config has media type ${configDesc.mediaType}`,
      { details: { reference: familiarString(ref), mediaType: configDesc.mediaType } },
    );
  }
  const bytes = await fetchBlob(session, ref, configDesc, { signal: opts.signal, what: "image config" });
  return { topDigest: top.digest, topMediaType, manifest, config: { digest: configDesc.digest, bytes } };
}
