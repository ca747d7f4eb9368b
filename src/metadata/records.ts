import type { Digest } from "../digest/index.ts";

/** A committed, unpacked layer, keyed by its chain ID. */
export interface LayerRecord {
  chainId: Digest;
  diffId: Digest;
  parent: Digest | null;
  /** Apparent bytes of the layer's files, as Docker's overlay2 counts them. */
  size: number;
  compressedDigest: Digest | null;
  compressedSize: number | null;
  mediaType: string | null;
  /** Short name of the layer's `l/` symlink, which keeps overlay mount options short. */
  link: string;
  createdAt: number;
}

/** An image: its ID is the digest of its config. */
export interface ImageRecord {
  id: Digest;
  manifestDigest: Digest | null;
  manifestMediaType: string | null;
  /** The index the manifest was chosen from, when pulled through one. */
  indexDigest: Digest | null;
  created: string | null;
  os: string | null;
  architecture: string | null;
  variant: string | null;
  /** Chain IDs of the image's layers, bottom first. */
  chain: Digest[];
  /** Sum of the sizes of the image's layers. */
  size: number;
  lastTagTime: string | null;
  storedAt: number;
}

/** A name pointing at an image: a tag (`docker.io/library/ubuntu:latest`) or a digest (`…@sha256:…`). */
export interface RefRecord {
  name: string;
  /** The repository part, fully qualified (`docker.io/library/ubuntu`). */
  repo: string;
  kind: "tag" | "digest";
  imageId: Digest;
  createdAt: number;
}
