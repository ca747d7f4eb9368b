/**
 * The reference grammar of distribution/reference (`regexp.go`), built from
 * the same pieces so the composed expressions match exactly what Docker
 * accepts. JavaScript's backtracking engine picks the same leftmost-first
 * submatches as Go's RE2 for these expressions.
 */

const alphanumeric = "[a-z0-9]+";
/** `.`, `_`, `__` or one or more `-` between alphanumeric runs. */
const separator = "(?:[._]|__|[-]+)";
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
/** Domain components may contain upper case (path components may not). */
const domainNameComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
/** Brackets only, no zone IDs (`%eth0`). */
const ipv6address = "\\[(?:[a-fA-F0-9:]+)\\]";
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;
const tag = "[\\w][\\w.-]{0,127}";
const digestPat = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

/** `^(name)(?::(tag))?(?:@(digest))?$` */
export const REFERENCE_RE = new RegExp(`^(${namePat})(?::(${tag}))?(?:@(${digestPat}))?$`);
/** Splits an already matched name into domain and path. */
export const ANCHORED_NAME_RE = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
export const ANCHORED_TAG_RE = new RegExp(`^${tag}$`);
/** A bare image ID, which is refused as a repository name. */
export const ANCHORED_IDENTIFIER_RE = /^[a-f0-9]{64}$/;

/** distribution/reference's RepositoryNameTotalLengthMax, applied to the path only (since v0.6.0). */
export const NAME_TOTAL_LENGTH_MAX = 255;
