/**
 * The string forms of a Reference. Docker prints the familiar form to users
 * (`ubuntu:latest`) and stores the fully qualified one
 * (`docker.io/library/ubuntu:latest`).
 */
import { type Digest, parseDigest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { ANCHORED_TAG_RE } from "./grammar.ts";
import { DEFAULT_DOMAIN, makeReference, OFFICIAL_REPO_PREFIX, type Reference } from "./reference.ts";

/** `docker.io/library/ubuntu`: domain and path, no tag or digest. */
export function fullName(r: Reference): string {
  return r.domain === "" ? r.path : `${r.domain}/${r.path}`;
}

/** The whole reference, fully qualified: `docker.io/library/ubuntu:latest`, `host/x:tag@sha256:…`. */
export function referenceString(r: Reference): string {
  return fullName(r) + suffix(r);
}

/**
 * `FamiliarName`: drops `docker.io/`, and `library/` only when nothing but one
 * component remains (`docker.io/library/foo/bar` stays `library/foo/bar`).
 */
export function familiarName(r: Reference): string {
  if (r.domain !== DEFAULT_DOMAIN) return fullName(r);
  const rest = r.path.startsWith(OFFICIAL_REPO_PREFIX) ? r.path.slice(OFFICIAL_REPO_PREFIX.length) : null;
  return rest !== null && !rest.includes("/") ? rest : r.path;
}

/** `FamiliarString`: `ubuntu:latest`, `x@sha256:…`, `name:tag@sha256:…`. */
export function familiarString(r: Reference): string {
  return familiarName(r) + suffix(r);
}

function suffix(r: Reference): string {
  return (r.tag !== undefined ? `:${r.tag}` : "") + (r.digest !== undefined ? `@${r.digest}` : "");
}

/** The same repository with `tag`; a digest is kept, as Docker's WithTag does. */
export function withTag(r: Reference, tag: string): Reference {
  if (!ANCHORED_TAG_RE.test(tag)) {
    throw new StrataError("INVALID_REFERENCE", "invalid tag format", { details: { tag } });
  }
  return makeReference(r.domain, r.path, tag, r.digest);
}

/** The same repository with `digest`; a tag is kept, as Docker's WithDigest does. */
export function withDigest(r: Reference, digest: Digest | string): Reference {
  let d: Digest;
  try {
    d = parseDigest(digest);
  } catch (cause) {
    throw new StrataError("INVALID_REFERENCE", "invalid digest format", { details: { digest }, cause });
  }
  return makeReference(r.domain, r.path, r.tag, d);
}

/** The repository alone, without tag or digest. */
export function nameOnly(r: Reference): Reference {
  return makeReference(r.domain, r.path);
}

export function isDigestReference(r: Reference): r is Reference & { readonly digest: Digest } {
  return r.digest !== undefined;
}
