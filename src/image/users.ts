/**
 * What the image service needs to know about containers, without depending on
 * the container service: which containers use an image, and how many per
 * image. The engine wires the container service in. (Garbage collection reads
 * the layers containers hold from the metadata store itself, under its lock.)
 */
import type { Digest } from "../digest/index.ts";

export interface ImageUser {
  id: string;
  running: boolean;
}

export interface ImageUsers {
  /** Containers (any state) created from the image, newest first. */
  usersOf(imageId: Digest): ImageUser[];
  /** Container counts per image ID. */
  counts(): Map<string, number>;
}

/** A store without containers. */
export const noUsers: ImageUsers = {
  usersOf: () => [],
  counts: () => new Map(),
};
