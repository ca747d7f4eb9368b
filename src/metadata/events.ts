/**
 * The events table: what strata itself did (containers created, started,
 * died, destroyed; images pulled, tagged, untagged, deleted), in Docker's
 * terms (Type, Action, Actor), kept in the store so that any process —
 * `strata events`, the API's /events — can read back what any other did.
 * There is no daemon to hold them in memory; the table is trimmed to the
 * newest MAX_EVENTS rows, as dockerd keeps its last 256 in memory.
 */
import type { Statements } from "./statements.ts";

export const MAX_EVENTS = 10_000;

export interface EventRecord {
  /** Increasing: readers follow the table by id. */
  id: number;
  type: "container" | "image" | "network" | "volume";
  action: string;
  actorId: string;
  attributes: Record<string, string>;
  /** Unix seconds and the nanoseconds within (nanoseconds since the epoch exceed a double's precision). */
  time: number;
  nanos: number;
}

interface Row {
  id: number;
  type: string;
  action: string;
  actor_id: string;
  attributes: string;
  time: number;
  nanos: number;
}

const fromRow = (r: Row): EventRecord => ({
  id: r.id,
  type: r.type as EventRecord["type"],
  action: r.action,
  actorId: r.actor_id,
  attributes: JSON.parse(r.attributes) as Record<string, string>,
  time: r.time,
  nanos: r.nanos,
});

export class EventRecords {
  private appended = 0;

  constructor(private readonly q: Statements) {}

  append(e: Omit<EventRecord, "id" | "time" | "nanos">): void {
    const ms = Date.now();
    // A multiple of 256: seconds × 1e9 plus it is then exact as a double (timeNano in JSON).
    const nanos = ((ms % 1000) * 1_000_000 + Number(process.hrtime.bigint() % 1_000_000n)) & ~0xff;
    this.q
      .sql("INSERT INTO events (type, action, actor_id, attributes, time, nanos) VALUES (?, ?, ?, ?, ?, ?)")
      .run(e.type, e.action, e.actorId, JSON.stringify(e.attributes), Math.floor(ms / 1000), nanos);
    // Trim now and then, not on every insert.
    if (++this.appended % 100 === 0) {
      this.q.sql("DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - ?").run(MAX_EVENTS);
    }
  }

  /**
   * `append` for the recorders of what strata did: an event that cannot be
   * written (a read-only or busy store) never fails the action it reports.
   */
  record(e: Omit<EventRecord, "id" | "time" | "nanos">): void {
    try {
      this.append(e);
    } catch {
      // The action happened; only its event is lost.
    }
  }

  /** Events after `afterId`, oldest first. */
  after(afterId: number, limit = 1000): EventRecord[] {
    return (
      this.q.sql("SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?").all(afterId, limit) as Row[]
    ).map(fromRow);
  }

  /** The newest event's id (0 when there is none): where a follower that wants only new events starts. */
  lastId(): number {
    const row = this.q.sql("SELECT MAX(id) AS id FROM events").get() as { id: number | null };
    return row.id ?? 0;
  }
}
