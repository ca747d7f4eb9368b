export {
  familiarName,
  familiarString,
  fullName,
  isDigestReference,
  nameOnly,
  referenceString,
  withDigest,
  withTag,
} from "./format.ts";
export {
  DEFAULT_DOMAIN,
  DEFAULT_TAG,
  makeReference,
  parseNormalizedNamed,
  parseReference,
  type Reference,
  splitDockerDomain,
  tagNameOnly,
} from "./reference.ts";
