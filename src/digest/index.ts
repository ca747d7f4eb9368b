/**
 * Content digests (`sha256:<64 hex>`), diff IDs and chain IDs. `Digest` is a
 * branded string: only the validating parser and the hashing helpers make one.
 */
import { StrataError } from "../errors.ts";
import { crypto } from "../sys/builtins.ts";

export type Digest = string & { readonly __digest: unique symbol };

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isDigest(s: string): s is Digest {
  return DIGEST_RE.test(s);
}

export function parseDigest(s: string): Digest {
  if (isDigest(s)) return s;
  const m = /^([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*):([0-9a-fA-F]*)$/.exec(s);
  if (!m) throw new StrataError("INVALID_ARGUMENT", "invalid digest format", { details: { digest: s } });
  if (m[1] !== "sha256") {
    throw new StrataError("INVALID_ARGUMENT", "unsupported digest algorithm", { details: { digest: s } });
  }
  if (m[2].length !== 64) {
    throw new StrataError("INVALID_ARGUMENT", "invalid checksum digest length", { details: { digest: s } });
  }
  throw new StrataError("INVALID_ARGUMENT", "invalid checksum digest format", { details: { digest: s } });
}

export function sha256Digest(data: Uint8Array | string): Digest {
  return `sha256:${crypto().createHash("sha256").update(data).digest("hex")}` as Digest;
}

export function fromHex(hex: string): Digest {
  return parseDigest(`sha256:${hex}`);
}

/** The 64 hex characters after `sha256:`. */
export function hexOf(d: Digest): string {
  return d.slice(7);
}

/** Docker's 12-character short form of an ID or digest. */
export function shortHex(d: Digest): string {
  return d.slice(7, 19);
}

/**
 * OCI chain IDs: ChainID(L0) = DiffID(L0); ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + DiffID(Ln)),
 * hashing the full `sha256:` strings joined by one space.
 */
export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const diffId of diffIds) {
    const parent = out[out.length - 1];
    out.push(parent === undefined ? diffId : sha256Digest(`${parent} ${diffId}`));
  }
  return out;
}
