/**
 * Choosing an index entry for a platform, as containerd's `platforms.Only`
 * does for Docker: the requested platform and the ones that can run on it,
 * in order of preference (amd64/v3 → v2 → v1 → 386; arm64 → arm/v8 … v5),
 * matching entries stable-sorted by that order, entries without a platform
 * last, and entries of unknown media types skipped.
 */
import { StrataError } from "../errors.ts";
import { manifestKind } from "./media-types.ts";
import { formatPlatform, normalizeOS, normalizePlatform, type Platform } from "./platform.ts";
import type { Descriptor, ImageIndex } from "./schemas.ts";

/**
 * The variant as a comparable key: an unset variant is the architecture's
 * baseline (amd64 v1, arm v7, arm64 v8), and `v8.0` is `v8`.
 */
function variantKey(architecture: string, variant: string | undefined): string {
  const v = (variant ?? "").toLowerCase();
  switch (architecture) {
    case "amd64":
      return v === "" ? "v1" : v;
    case "arm":
      return v === "" ? "v7" : v;
    case "arm64":
      if (v === "" || v === "v8.0") return "v8";
      if (v === "v9.0") return "v9";
      return v;
    default:
      return v;
  }
}

/** containerd `platformVector`: the platform first, then what it can also run, best first. */
export function platformVector(platform: Platform): Platform[] {
  const p = normalizePlatform(platform);
  const { os } = p;
  const key = variantKey(p.architecture, p.variant);
  const out: Platform[] = [p];
  switch (p.architecture) {
    case "amd64": {
      const level = /^v(\d+)$/.exec(key);
      for (let n = level ? Number(level[1]) - 1 : 0; n >= 1; n--) {
        out.push({ os, architecture: "amd64", variant: `v${n}` });
      }
      out.push({ os, architecture: "386" });
      break;
    }
    case "arm": {
      const m = /^v(\d+)$/.exec(key);
      for (let n = m ? Number(m[1]) - 1 : 0; n >= 5; n--)
        out.push({ os, architecture: "arm", variant: `v${n}` });
      break;
    }
    case "arm64": {
      const m = /^v(\d+)(?:\.(\d+))?$/.exec(key);
      if (!m) break;
      const major = Number(m[1]);
      const minor = m[2] === undefined ? 0 : Number(m[2]);
      out.length = 0;
      const arm64 = (maj: number, min: number): Platform => ({
        os,
        architecture: "arm64",
        variant: min === 0 ? `v${maj}` : `v${maj}.${min}`,
      });
      if (major === 9) {
        for (let n = minor; n >= 0; n--) out.push(arm64(9, n));
        for (let n = Math.min(minor + 5, 9); n >= 0; n--) out.push(arm64(8, n));
      } else if (major === 8) {
        for (let n = minor; n >= 0; n--) out.push(arm64(8, n));
      } else {
        out.push(p);
        break;
      }
      // Every arm64 CPU runs 32-bit arm v8 down to v5.
      for (let n = 8; n >= 5; n--) out.push({ os, architecture: "arm", variant: `v${n}` });
      break;
    }
  }
  return out;
}

/** The preference rank of `candidate` for `vector` (lower is better), or -1 when it cannot run. */
function rank(vector: Platform[], candidate: Platform): number {
  const c = normalizePlatform(candidate);
  const ckey = variantKey(c.architecture, c.variant);
  return vector.findIndex(
    (v) =>
      normalizeOS(v.os) === c.os &&
      v.architecture === c.architecture &&
      variantKey(v.architecture, v.variant) === ckey,
  );
}

/**
 * Every entry of `index` usable on `platform`, best first. Entries of media
 * types strata cannot read are skipped (the OCI spec says to ignore them);
 * entries without a platform match anything and come last.
 */
export function matchManifests(index: ImageIndex, platform: Platform): Descriptor[] {
  const vector = platformVector(platform);
  const ranked: Array<{ desc: Descriptor; rank: number }> = [];
  for (const desc of index.manifests) {
    const kind = manifestKind(desc.mediaType);
    if (kind !== "manifest" && kind !== "index") continue;
    if (!desc.platform) {
      ranked.push({ desc, rank: vector.length });
      continue;
    }
    const r = rank(vector, {
      os: desc.platform.os,
      architecture: desc.platform.architecture,
      variant: desc.platform.variant,
    });
    if (r >= 0) ranked.push({ desc, rank: r });
  }
  // Array.prototype.sort is stable, so equal ranks keep the index's order.
  return ranked.sort((a, b) => a.rank - b.rank).map((r) => r.desc);
}

/** The best entry for `platform`, or NO_MATCHING_PLATFORM in Docker's words. */
export function selectManifest(index: ImageIndex, platform: Platform): Descriptor {
  const found = matchManifests(index, platform)[0];
  if (!found) throw noMatchingManifest(platform);
  return found;
}

export function noMatchingManifest(platform: Platform): StrataError {
  const name = formatPlatform(platform);
  return new StrataError(
    "NO_MATCHING_PLATFORM",
    `no matching manifest for ${name} in the manifest list entries`,
    {
      details: { platform: name },
    },
  );
}
