/**
 * Which image each image was made from, as Docker's image store records a
 * parent for `commit` (pulled, loaded and imported images have none). `rmi`
 * refuses to delete a parent that still has children, and after deleting an
 * image removes its parent too when nothing names or uses it (unless
 * `--no-prune`).
 */
import type { Digest } from "../digest/index.ts";
import type { Statements } from "./statements.ts";

export class ImageParents {
  constructor(private readonly q: Statements) {}

  set(child: Digest, parent: Digest): void {
    this.q
      .sql(
        "INSERT INTO image_parents (child, parent) VALUES (?, ?) ON CONFLICT(child) DO UPDATE SET parent = excluded.parent",
      )
      .run(child, parent);
  }

  parentOf(child: Digest): Digest | undefined {
    const row = this.q.sql("SELECT parent FROM image_parents WHERE child = ?").get(child) as
      | { parent: string }
      | undefined;
    return row?.parent as Digest | undefined;
  }

  childrenOf(parent: Digest): Digest[] {
    const rows = this.q.sql("SELECT child FROM image_parents WHERE parent = ?").all(parent) as {
      child: string;
    }[];
    return rows.map((r) => r.child as Digest);
  }

  /** Forgets a deleted image's parent. */
  delete(child: Digest): void {
    this.q.sql("DELETE FROM image_parents WHERE child = ?").run(child);
  }
}
