/** `tag SOURCE TARGET`: point a new name at an existing image. */
import { StrataError } from "../errors.ts";
import { rfc3339Nano } from "../format/time.ts";
import { fullName, parseNormalizedNamed, parseReference, referenceString } from "../reference/index.ts";
import type { Store } from "../store/index.ts";
import { findImage } from "./lookup.ts";

export function tagImage(store: Store, source: string, target: string): void {
  const { image } = findImage(store, source);
  const named = parseNormalizedNamed(target);
  if (named.digest)
    throw new StrataError("INVALID_REFERENCE", "refusing to create a tag with a digest reference");
  const ref = parseReference(target);
  store.meta.transaction(() => {
    store.meta.images.setRef({
      name: referenceString(ref),
      repo: fullName(ref),
      kind: "tag",
      imageId: image.id,
    });
    store.meta.images.setLastTagTime(image.id, rfc3339Nano({ at: new Date() }));
  });
}
