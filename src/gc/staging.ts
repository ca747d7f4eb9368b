/**
 * Which staging entries (tmp/) a collection may clear. A build keeps its
 * step snapshots (mounted overlays), its context and its downloads there as
 * `build-<pid>-…` for as long as it runs, without holding the GC lock (its
 * lease pins the layers they stand on): those of a live build are its own.
 * What a dead build left is cleared here, or by the next build (which also
 * unmounts, build/snapshot.ts). A pull's staged layers (`layer-<pid>-…`)
 * are spared the same way while their process lives.
 */
import { basename } from "node:path";
import { processAlive } from "../sys/process.ts";

/**
 * Whether the staging entry at `path` is work in progress: a live build's,
 * or a layer a live process is unpacking (`layer-<pid>-…`: a pull unpacks
 * under its lease, without the GC lock).
 */
export function ownedByLiveProcess(path: string): boolean {
  const m = /^(?:build|layer)-(\d+)-/.exec(basename(path));
  return m !== null && processAlive(Number(m[1]));
}
