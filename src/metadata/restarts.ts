/**
 * What a container's restart policy needs to remember between runs (moby
 * keeps it in the container's state): how often strata restarted it since it
 * was last started by hand (Docker's RestartCount), whether the user stopped
 * it (`stop`, `kill`: then no policy restarts it), and the back-off to wait
 * before the next restart. A store of its own; no row is all zeros.
 */
import type { Statements } from "./statements.ts";

export interface RestartRecord {
  restartCount: number;
  manuallyStopped: boolean;
  /** The delay before the next restart, doubled per quick failure (moby's restart manager). */
  backoffMs: number;
}

interface Row {
  restart_count: number;
  manually_stopped: number;
  backoff_ms: number;
}

const NONE: RestartRecord = { restartCount: 0, manuallyStopped: false, backoffMs: 0 };

export class RestartRecords {
  constructor(private readonly q: Statements) {}

  get(containerId: string): RestartRecord {
    const row = this.q
      .sql(
        "SELECT restart_count, manually_stopped, backoff_ms FROM container_restarts WHERE container_id = ?",
      )
      .get(containerId) as Row | undefined;
    if (!row) return { ...NONE };
    return {
      restartCount: row.restart_count,
      manuallyStopped: row.manually_stopped === 1,
      backoffMs: row.backoff_ms,
    };
  }

  set(containerId: string, patch: Partial<RestartRecord>): void {
    const next = { ...this.get(containerId), ...patch };
    this.q
      .sql(
        `INSERT INTO container_restarts (container_id, restart_count, manually_stopped, backoff_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT(container_id) DO UPDATE SET restart_count = excluded.restart_count,
           manually_stopped = excluded.manually_stopped, backoff_ms = excluded.backoff_ms`,
      )
      .run(containerId, next.restartCount, next.manuallyStopped ? 1 : 0, next.backoffMs);
  }

  delete(containerId: string): void {
    this.q.sql("DELETE FROM container_restarts WHERE container_id = ?").run(containerId);
  }
}
