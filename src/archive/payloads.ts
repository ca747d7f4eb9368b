/**
 * Tar-split shadowing. A regular file's content is not copied into the
 * tar-split: an F record names the layer path to read it back from. When a
 * later entry of the same layer replaces or removes that path, the content
 * would be lost, so it is saved inline (an S record) first.
 */
import { readFileSync } from "node:fs";
import type { LayerTree } from "./layer-tree.ts";
import type { TarSplitWriter } from "./tar-split.ts";

export class Payloads {
  /** Regular files written from a payload record: path → record index. */
  private readonly byPath = new Map<string, number>();

  constructor(
    private readonly tree: LayerTree,
    private readonly split: TarSplitWriter,
  ) {}

  /** The content of `rel` (`size` bytes) goes into the tar-split as a reference to the file. */
  record(rel: string, size: number): void {
    this.byPath.set(rel, this.split.file(rel, size));
  }

  /** `rel` is about to be replaced: its content, if the tar-split refers to it, is saved inline. */
  save(rel: string): void {
    const index = this.byPath.get(rel);
    if (index !== undefined) this.inline(rel, index);
  }

  /** The directory `rel` is about to be removed: so is everything the tar-split refers to under it. */
  saveUnder(rel: string): void {
    for (const [p, index] of this.byPath) if (p.startsWith(`${rel}/`)) this.inline(p, index);
  }

  private inline(rel: string, index: number): void {
    this.split.shadow(index, readFileSync(this.tree.abs(rel)));
    this.byPath.delete(rel);
  }
}
