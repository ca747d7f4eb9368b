import type { Digest } from "../digest/index.ts";
import type { ContainerConfig } from "./container-config.ts";

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

export type ContainerState = "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";

/** A container: an image's layers plus its own writable layer, and how to run it. */
export interface ContainerRecord {
  /** 64 hex characters. */
  id: string;
  /** Without Docker's leading `/`. */
  name: string;
  imageId: Digest;
  /** The image as the user named it (`ubuntu`, `127.0.0.1:5000/servidorweb:v1`). */
  imageName: string;
  /** The image's chain IDs at creation: the container keeps these layers alive. */
  chain: Digest[];
  /** Docker's container Config and HostConfig parts strata uses. */
  config: ContainerConfig;
  /** RFC 3339 with nanoseconds. */
  createdAt: string;
  state: ContainerState;
  pid: number;
  exitCode: number;
  startedAt: string | null;
  finishedAt: string | null;
}
