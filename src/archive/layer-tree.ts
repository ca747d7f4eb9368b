/**
 * Path safety of one apply (moby's policy, checked per entry): names are
 * cleaned and made relative (a leading `/` is dropped); a name that climbs
 * out with `..` is refused; no parent of an entry may be a symlink or a
 * non-directory of this layer (so `a -> /etc` then `a/passwd` is refused,
 * never written through). The layer directory starts empty, so the tree
 * knows everything in it: what this apply created, and which of those are
 * directories safe to create entries in.
 */
import { lstatSync, mkdirSync, type Stats } from "node:fs";
import { StrataError } from "../errors.ts";

export const unsafe = (name: string, why: string) =>
  new StrataError("UNSAFE_PATH", `refusing layer entry ${JSON.stringify(name)}: ${why}`, {
    details: { entry: name },
  });

const NEEDS_CLEANING = /(^|\/)\.{0,2}(\/|$)/;

/** Cleans a tar name into path components under the root; throws on `..` escapes. */
export function cleanName(name: string): string[] {
  // Most names are already clean (no empty, `.` or `..` component): split and done.
  if (!NEEDS_CLEANING.test(name)) return name.split("/");
  const out: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) throw unsafe(name, "it climbs out of the layer");
      out.pop();
    } else out.push(part);
  }
  return out;
}

/**
 * cleanName's components joined ("" for the root): a name that is clean
 * already (most are, bar a directory's trailing slash) is returned as it is.
 */
export function cleanPath(name: string): string {
  const n = name.length > 1 && name.charCodeAt(name.length - 1) === 0x2f ? name.slice(0, -1) : name;
  return NEEDS_CLEANING.test(n) ? cleanName(name).join("/") : n;
}

export class LayerTree {
  /** Directories of this layer known safe to create entries in (relative paths). */
  private readonly dirs = new Set<string>([""]);
  /** Every path this apply created: anything else cannot exist in the (empty) layer directory. */
  private readonly created = new Set<string>();
  /**
   * Asked about a parent that is not a directory of this layer: true when it
   * has made it one (a whiteout of this layer that `d/x` turns into `d`).
   */
  becomesDir: (rel: string) => boolean = () => false;

  constructor(readonly root: string) {
    this.root = root.replace(/\/+$/, "") || "/";
  }

  /** `rel` is clean (cleanName's components): joined without path.join's normalising, which showed in profiles. */
  abs(rel: string): string {
    return rel === "" ? this.root : `${this.root}/${rel}`;
  }

  /** What this apply has put at `rel`, if anything. */
  stat(rel: string): Stats | undefined {
    return this.created.has(rel) ? lstatSync(this.abs(rel), { throwIfNoEntry: false }) : undefined;
  }

  /** Records that this apply writes `rel`; false when it had written it before. */
  claim(rel: string): boolean {
    if (this.created.has(rel)) return false;
    this.created.add(rel);
    return true;
  }

  /**
   * Whether an entry at `path` (clean, in `parent`) looks at something this
   * apply wrote: the path itself, or a parent that is not one of its directories.
   */
  touchesCreated(path: string, parent: string): boolean {
    if (this.dirs.has(parent)) return this.created.has(path);
    const parts = path.split("/");
    let rel = "";
    for (let i = 0; i < parts.length; i++) {
      rel = rel ? `${rel}/${parts[i]}` : parts[i];
      if (i < parts.length - 1 && this.dirs.has(rel)) continue;
      if (this.created.has(rel)) return true;
    }
    return false;
  }

  markDir(rel: string): void {
    this.dirs.add(rel);
  }

  /** `rel` and everything under it stop being known directories (they are being removed). */
  unmarkTree(rel: string): void {
    for (const d of [...this.dirs]) if (d === rel || d.startsWith(`${rel}/`)) this.dirs.delete(d);
  }

  /** Makes sure every parent of `path` (clean, in `parent` when given) is a real directory of this layer. */
  ensureParents(path: string, name: string, parent?: string): void {
    if (parent !== undefined && this.dirs.has(parent)) return;
    const parts = path.split("/");
    let rel = "";
    for (let i = 0; i < parts.length - 1; i++) {
      rel = rel ? `${rel}/${parts[i]}` : parts[i];
      if (this.dirs.has(rel)) continue;
      if (!this.becomesDir(rel)) {
        const st = this.stat(rel);
        if (!st) {
          mkdirSync(this.abs(rel), { mode: 0o755 });
          this.created.add(rel);
        } else if (!st.isDirectory())
          throw unsafe(name, `its parent ${rel} is not a directory of this layer`);
      }
      this.dirs.add(rel);
    }
  }
}
