/**
 * The leases tables: a lease is work in progress (a create, a build, a push)
 * and its resources are what that work must not lose to garbage collection
 * before it has recorded its result (containerd's leases). Whether a lease is
 * still alive is not stored: its owner holds a lock file (src/gc/lease.ts).
 */
import type { Statements } from "./statements.ts";

/** What a lease pins: GC nodes of the kinds GC removes. */
export interface LeasedResource {
  type: "image" | "blob" | "layer";
  key: string;
}

export interface LeaseRecord {
  id: string;
  /** What the work is ("create", "build", "push"…), for diagnostics. */
  purpose: string;
  pid: number;
  createdAt: number;
}

interface LeaseRow {
  id: string;
  purpose: string;
  pid: number;
  created_at: number;
}

export class LeaseRecords {
  constructor(private readonly q: Statements) {}

  insert(l: LeaseRecord): void {
    this.q
      .sql("INSERT INTO leases (id, purpose, pid, created_at) VALUES (?, ?, ?, ?)")
      .run(l.id, l.purpose, l.pid, l.createdAt);
  }

  list(): LeaseRecord[] {
    return (this.q.sql("SELECT * FROM leases").all() as LeaseRow[]).map((r) => ({
      id: r.id,
      purpose: r.purpose,
      pid: r.pid,
      createdAt: r.created_at,
    }));
  }

  /** Adds resources to a lease (once each). */
  pin(leaseId: string, resources: readonly LeasedResource[]): void {
    const stmt = this.q.sql("INSERT OR IGNORE INTO lease_resources (lease_id, type, key) VALUES (?, ?, ?)");
    for (const r of resources) stmt.run(leaseId, r.type, r.key);
  }

  resources(leaseId: string): LeasedResource[] {
    return this.q
      .sql("SELECT type, key FROM lease_resources WHERE lease_id = ? ORDER BY type, key")
      .all(leaseId) as LeasedResource[];
  }

  /** Deletes a lease and (by cascade) what it pinned. */
  delete(id: string): void {
    this.q.sql("DELETE FROM leases WHERE id = ?").run(id);
  }
}
