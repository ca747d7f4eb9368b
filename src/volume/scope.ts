/**
 * moby's FollowSymlinkInScope: a path inside a container's root resolved as
 * the container would see it, every symlink (absolute or relative, `..`
 * included) kept inside the root. A hostile image or container can point a
 * link anywhere; the result is still under `root`.
 */
import { lstatSync, readlinkSync } from "node:fs";
import { posix } from "node:path";
import { StrataError } from "../errors.ts";

const MAX_LINKS = 255;

/** The host path `path` (absolute, as seen in the container) names under `root`; missing tails are kept as typed. */
export function resolveInRoot(root: string, path: string): string {
  let pending = posix.normalize(`/${path}`).split("/").filter(Boolean);
  let resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === ".") continue;
    if (part === "..") {
      resolved.pop();
      continue;
    }
    const candidate = [...resolved, part];
    const host = `${root}/${candidate.join("/")}`;
    let target: string | undefined;
    try {
      if (lstatSync(host).isSymbolicLink()) target = readlinkSync(host);
    } catch {
      // Missing: the rest is taken as it is.
    }
    if (target === undefined) {
      resolved = candidate;
      continue;
    }
    if (++links > MAX_LINKS) {
      throw new StrataError("UNSAFE_PATH", `too many links in ${path}`);
    }
    const rest = target.split("/").filter(Boolean);
    if (target.startsWith("/")) resolved = [];
    pending = [...rest, ...pending];
  }
  return resolved.length === 0 ? root : `${root}/${resolved.join("/")}`;
}
