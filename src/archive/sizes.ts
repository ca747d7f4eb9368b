/**
 * A layer's size as Docker's overlay2 reports it (DiffSize): the apparent
 * bytes of what the layer holds at the end, each hardlinked inode once. Paths
 * are tracked as the tar replaces and removes them; the total is kept as it
 * goes (one map update per entry: this is in a pull's hot path).
 */
interface Inode {
  size: number;
  /** Paths naming it. */
  refs: number;
}

export class Sizes {
  private inodeOf = new Map<string, Inode>();
  private sum = 0;

  add(path: string, size: number): void {
    this.remove(path);
    this.inodeOf.set(path, { size, refs: 1 });
    this.sum += size;
  }

  link(path: string, target: string): void {
    const inode = this.inodeOf.get(target);
    this.remove(path);
    if (inode === undefined) return;
    this.inodeOf.set(path, inode);
    inode.refs++;
  }

  remove(path: string): void {
    const inode = this.inodeOf.get(path);
    if (inode === undefined) return;
    this.inodeOf.delete(path);
    if (--inode.refs === 0) this.sum -= inode.size;
  }

  /** Removes every path at or below `prefix`. */
  removeTree(prefix: string): void {
    for (const p of [...this.inodeOf.keys()]) if (p === prefix || p.startsWith(`${prefix}/`)) this.remove(p);
  }

  total(): number {
    return this.sum;
  }
}
