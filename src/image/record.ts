/**
 * Records a stored image and points its names at it, in one transaction: the
 * image row, its tag, and its repository digest (RepoDigests).
 */
import type { Digest } from "../digest/index.ts";
import { fullName, type Reference, referenceString, withDigest } from "../reference/index.ts";
import type { Store } from "../store/index.ts";
import type { ParsedConfig } from "./config.ts";

export interface NewImage {
  imageId: Digest;
  config: ParsedConfig;
  chain: Digest[];
  manifestDigest: Digest | null;
  manifestMediaType: string | null;
  /** The digest the registry resolved the name to (index or manifest). */
  topDigest: Digest | null;
  /** The image it was made from (`commit`), kept as Docker's Parent. */
  parent?: Digest;
}

/**
 * Returns true when the reference now points at a different image than
 * before. Without a reference the image is stored untagged (`<none>`).
 */
export function recordImage(store: Store, ref: Reference | undefined, image: NewImage): boolean {
  const { meta } = store;
  return meta.transaction(() => {
    const size = image.chain.reduce((sum, c) => sum + (meta.layers.get(c)?.size ?? 0), 0);
    meta.images.put({
      id: image.imageId,
      manifestDigest: image.manifestDigest,
      manifestMediaType: image.manifestMediaType,
      indexDigest: image.topDigest !== image.manifestDigest ? image.topDigest : null,
      created: image.config.created,
      os: image.config.os,
      architecture: image.config.architecture,
      variant: image.config.variant,
      chain: image.chain,
      size,
      lastTagTime: null,
      storedAt: Date.now(),
    });
    if (image.parent) meta.parents.set(image.imageId, image.parent);
    if (!ref) return true;
    const repo = fullName(ref);
    let previous: Digest | undefined;
    if (ref.tag) {
      previous = meta.images.setRef({
        name: `${repo}:${ref.tag}`,
        repo,
        kind: "tag",
        imageId: image.imageId,
      });
    }
    const digest = ref.digest ?? image.topDigest;
    if (digest) {
      const name = referenceString(withDigest({ domain: ref.domain, path: ref.path }, digest));
      const before = meta.images.setRef({ name, repo, kind: "digest", imageId: image.imageId });
      if (!ref.tag) previous = before;
    }
    return previous !== image.imageId;
  });
}
