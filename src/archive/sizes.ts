/**
 * A layer's size as Docker's overlay2 reports it (DiffSize): the apparent
 * bytes of what the layer holds at the end, each hardlinked inode once. Paths
 * are tracked as the tar replaces and removes them.
 */
export class Sizes {
  private inodeOf = new Map<string, number>();
  private sizeOf = new Map<number, number>();
  private refs = new Map<number, number>();
  private next = 0;

  add(path: string, size: number): void {
    this.remove(path);
    const id = this.next++;
    this.inodeOf.set(path, id);
    this.sizeOf.set(id, size);
    this.refs.set(id, 1);
  }

  link(path: string, target: string): void {
    const id = this.inodeOf.get(target);
    this.remove(path);
    if (id === undefined) return;
    this.inodeOf.set(path, id);
    this.refs.set(id, (this.refs.get(id) ?? 0) + 1);
  }

  remove(path: string): void {
    const id = this.inodeOf.get(path);
    if (id === undefined) return;
    this.inodeOf.delete(path);
    const left = (this.refs.get(id) ?? 1) - 1;
    if (left === 0) {
      this.refs.delete(id);
      this.sizeOf.delete(id);
    } else this.refs.set(id, left);
  }

  /** Removes every path at or below `prefix`. */
  removeTree(prefix: string): void {
    for (const p of [...this.inodeOf.keys()]) if (p === prefix || p.startsWith(`${prefix}/`)) this.remove(p);
  }

  total(): number {
    let t = 0;
    for (const s of this.sizeOf.values()) t += s;
    return t;
  }
}
