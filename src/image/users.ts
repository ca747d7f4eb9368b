/**
 * What the image service needs to know about containers, without depending on
 * the container service: which containers use an image, and which layers they
 * hold. The engine wires the container service in.
 */
import type { Digest } from "../digest/index.ts";
import type { Node } from "../gc/index.ts";

export interface ImageUser {
  id: string;
  running: boolean;
}

export interface ImageUsers {
  /** Containers (any state) created from the image, newest first. */
  usersOf(imageId: Digest): ImageUser[];
  /** Container counts per image ID. */
  counts(): Map<string, number>;
  /** GC roots held by containers (their image's layers, their own layers). */
  roots(): Node[];
}

/** A store without containers. */
export const noUsers: ImageUsers = {
  usersOf: () => [],
  counts: () => new Map(),
  roots: () => [],
};
