/**
 * Finds the image a user means, as Docker does: a name (tag or digest
 * reference) first, then a full or short image ID.
 */
import { type Digest, isDigest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import type { ImageRecord, RefRecord } from "../metadata/index.ts";
import { familiarString, parseReference, referenceString } from "../reference/index.ts";
import type { Store } from "../store/index.ts";

export interface FoundImage {
  image: ImageRecord;
  /** The reference the user named, when found by name rather than by ID. */
  ref?: RefRecord;
}

const HEX_PREFIX = /^[a-f0-9]{1,64}$/;

export function noSuchImage(input: string): StrataError {
  return new StrataError("NOT_FOUND", `No such image: ${input}`, { details: { image: input } });
}

/** Looks up by ID: `sha256:<hex>`, 64 hex, or a unique hex prefix. Undefined when none matches. */
export function findById(store: Store, input: string): ImageRecord | undefined {
  const id = input.startsWith("sha256:") ? input : `sha256:${input}`;
  if (isDigest(id)) return store.meta.images.get(id as Digest);
  const hex = input.replace(/^sha256:/, "");
  if (!HEX_PREFIX.test(hex)) return undefined;
  const matches = store.meta.images.findByPrefix(hex);
  if (matches.length > 1) {
    throw new StrataError("AMBIGUOUS_ID", `ambiguous image ID prefix: ${input} matches more than one image`, {
      details: { image: input },
    });
  }
  return matches[0];
}

/** Looks up a reference name (`ubuntu`, `host:5000/x:v1`, `x@sha256:…`). Undefined when unknown. */
export function findByName(store: Store, input: string): FoundImage | undefined {
  let name: string;
  try {
    name = referenceString(parseReference(input));
  } catch {
    return undefined;
  }
  const ref = store.meta.images.getRef(name);
  if (!ref) return undefined;
  const image = store.meta.images.get(ref.imageId);
  return image && { image, ref };
}

export function findImage(store: Store, input: string): FoundImage {
  // A 64-hex string is always an ID (Docker refuses it as a name).
  if (/^(sha256:)?[a-f0-9]{64}$/.test(input)) {
    const image = findById(store, input);
    if (image) return { image };
    throw noSuchImage(input);
  }
  const byName = findByName(store, input);
  if (byName) return byName;
  const byId = findById(store, input);
  if (byId) return { image: byId };
  // Docker names the normalized reference: `No such image: nope:latest`.
  let shown = input;
  try {
    shown = familiarString(parseReference(input));
  } catch {}
  throw noSuchImage(shown);
}

/**
 * The familiar form of a stored reference name (`docker.io/library/x:v1` →
 * `x:v1`), as Docker's familiarizeName: the docker.io domain goes, then a
 * `library/` prefix of a one-component path. Stored names are already
 * canonical, so no parsing is needed (parsing 200 names took ~15 ms).
 */
export function familiarRef(name: string): string {
  if (!name.startsWith("docker.io/")) return name;
  const rest = name.slice("docker.io/".length);
  if (!rest.startsWith("library/")) return rest;
  const path = rest.slice("library/".length);
  const end = path.search(/[:@]/);
  return (end < 0 ? path : path.slice(0, end)).includes("/") ? rest : path;
}
