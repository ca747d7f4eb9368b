/**
 * Which staging entries (tmp/) a collection may clear. A build keeps its
 * step snapshots (mounted overlays), its context and its downloads there as
 * `build-<pid>-…` for as long as it runs, without holding the GC lock (its
 * lease pins the layers they stand on): those of a live build are its own.
 * What a dead build left is cleared here, or by the next build (which also
 * unmounts, build/snapshot.ts).
 */
import { basename } from "node:path";
import { processAlive } from "../sys/process.ts";

/** Whether the staging entry at `path` belongs to a build that still runs. */
export function ownedByLiveBuild(path: string): boolean {
  const m = /^build-(\d+)-/.exec(basename(path));
  return m !== null && processAlive(Number(m[1]));
}
