/**
 * Docker image references (distribution/reference): parsing with Docker's
 * normalisation (`ubuntu` → `docker.io/library/ubuntu`) and Docker's exact
 * error texts, which users see verbatim (`invalid reference format`).
 */
import { type Digest, parseDigest } from "../digest/index.ts";
import { isStrataError, StrataError } from "../errors.ts";
import { ANCHORED_IDENTIFIER_RE, ANCHORED_NAME_RE, NAME_TOTAL_LENGTH_MAX, REFERENCE_RE } from "./grammar.ts";

/** A fully qualified reference: `domain` is never empty (`docker.io` for Docker Hub). */
export interface Reference {
  readonly domain: string;
  /** The repository path without the domain, e.g. `library/ubuntu`. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

export const DEFAULT_DOMAIN = "docker.io";
export const LEGACY_DEFAULT_DOMAIN = "index.docker.io";
export const OFFICIAL_REPO_PREFIX = "library/";
export const DEFAULT_TAG = "latest";

function invalid(message: string, input: string, cause?: unknown): StrataError {
  return new StrataError("INVALID_REFERENCE", message, { details: { reference: input }, cause });
}

/** Builds a Reference without empty optional keys, so equal references compare deep-equal. */
export function makeReference(domain: string, path: string, tag?: string, digest?: Digest): Reference {
  return {
    domain,
    path,
    ...(tag !== undefined && tag !== "" ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/**
 * distribution/reference `Parse`: the plain grammar, no defaults. Only used on
 * an already normalised string, so the name always carries a domain.
 */
function parseQualified(s: string, input: string): Reference {
  const m = REFERENCE_RE.exec(s);
  if (!m) {
    if (s === "") throw invalid("repository name must have at least one component", input);
    if (REFERENCE_RE.test(s.toLowerCase())) throw invalid("repository name must be lowercase", input);
    throw invalid("invalid reference format", input);
  }
  const name = ANCHORED_NAME_RE.exec(m[1])!;
  const domain = name[1] ?? "";
  const path = name[2];
  if (path.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`, input);
  }
  let digest: Digest | undefined;
  if (m[3] !== undefined) {
    try {
      digest = parseDigest(m[3]);
    } catch (err) {
      // go-digest's own texts: "invalid checksum digest length", "unsupported digest algorithm" …
      throw invalid(isStrataError(err) ? err.message : "invalid digest format", input, err);
    }
  }
  return makeReference(domain, path, m[2], digest);
}

/**
 * normalize.go `splitDockerDomain`: the first component is a registry only if
 * it looks like one (`localhost`, a dot, a colon, or upper case); otherwise
 * the name is on Docker Hub, where single names live under `library/`.
 */
export function splitDockerDomain(name: string): { domain: string; remote: string } {
  const slash = name.indexOf("/");
  if (slash < 0) return { domain: DEFAULT_DOMAIN, remote: OFFICIAL_REPO_PREFIX + name };
  const maybeDomain = name.slice(0, slash);
  const maybeRemote = name.slice(slash + 1);
  let domain: string;
  let remote: string;
  if (maybeDomain === "localhost") [domain, remote] = [maybeDomain, maybeRemote];
  else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) [domain, remote] = [DEFAULT_DOMAIN, maybeRemote];
  else if (/[.:]/.test(maybeDomain)) [domain, remote] = [maybeDomain, maybeRemote];
  else if (maybeDomain.toLowerCase() !== maybeDomain) [domain, remote] = [maybeDomain, maybeRemote];
  else [domain, remote] = [DEFAULT_DOMAIN, name];
  if (domain === DEFAULT_DOMAIN && !remote.includes("/")) remote = OFFICIAL_REPO_PREFIX + remote;
  return { domain, remote };
}

/**
 * `ParseNormalizedNamed`: what `docker pull NAME` accepts. No default tag is
 * added (see parseReference). Throws StrataError("INVALID_REFERENCE") with
 * Docker's message.
 */
export function parseNormalizedNamed(s: string): Reference {
  if (ANCHORED_IDENTIFIER_RE.test(s)) {
    throw invalid(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`, s);
  }
  const { domain, remote } = splitDockerDomain(s);
  // The tag is cut off before the lowercase check (tags may be upper case);
  // Docker's message then quotes the whole remote part, tag included.
  const colon = remote.indexOf(":");
  const remoteName = colon < 0 ? remote : remote.slice(0, colon);
  if (remoteName.toLowerCase() !== remoteName) {
    throw invalid(`invalid reference format: repository name (${remote}) must be lowercase`, s);
  }
  return parseQualified(`${domain}/${remote}`, s);
}

/** `ParseNormalizedNamed` + `TagNameOnly`: adds `:latest` when there is neither tag nor digest. */
export function parseReference(s: string): Reference {
  return tagNameOnly(parseNormalizedNamed(s));
}

/** `TagNameOnly`: adds the default tag to a name with neither tag nor digest. */
export function tagNameOnly(r: Reference): Reference {
  return r.tag === undefined && r.digest === undefined ? makeReference(r.domain, r.path, DEFAULT_TAG) : r;
}
