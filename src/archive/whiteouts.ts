/**
 * Whiteouts in overlay form, as Docker's overlay2 stores them: `.wh.NAME`
 * becomes a 0/0 character device NAME, `.wh..wh..opq` becomes
 * `trusted.overlay.opaque=y` on its directory. Both hide the lower layers
 * only (OCI image-spec), wherever they stand in the tar: this layer's own
 * entries, before or after them, stay.
 */
import { lchownSync, mkdirSync, rmSync } from "node:fs";
import { native } from "../sys/index.ts";
import type { LayerTree } from "./layer-tree.ts";
import type { Header } from "./tar-header.ts";

export const WHITEOUT = ".wh.";
export const OPAQUE = ".wh..wh..opq";
const S_IFCHR = 0o020000;

export class Whiteouts {
  /** Whiteout devices this layer made: they give way to this layer's own entries. */
  private readonly devices = new Set<string>();

  constructor(private readonly tree: LayerTree) {
    // `.wh.d` then `d/x`: d is this layer's directory, hiding the lower layers' d.
    tree.becomesDir = (rel) => {
      if (!this.replaces(rel)) return false;
      rmSync(tree.abs(rel), { force: true });
      mkdirSync(tree.abs(rel), { mode: 0o755 });
      this.opaque(rel);
      return true;
    };
  }

  opaque(rel: string): void {
    native().lsetxattr(this.tree.abs(rel), "trusted.overlay.opaque", Buffer.from("y"));
  }

  /**
   * `.wh.NAME`. If this layer has NAME already, NAME stays: a file hides the
   * lower one by itself, a directory is made opaque. Otherwise a whiteout
   * device, which an entry of this layer arriving later replaces.
   */
  whiteout(rel: string, h: Header): void {
    if (this.devices.has(rel)) return;
    const st = this.tree.stat(rel);
    if (st?.isDirectory()) this.opaque(rel);
    if (st) return;
    this.tree.claim(rel);
    this.devices.add(rel);
    native().mknod(this.tree.abs(rel), S_IFCHR, 0, 0);
    lchownSync(this.tree.abs(rel), h.uid, h.gid);
  }

  /** An entry of this layer takes the place of its whiteout: true if there was one (a directory then goes opaque). */
  replaces(rel: string): boolean {
    return this.devices.delete(rel);
  }
}
