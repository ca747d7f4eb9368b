/**
 * What the service keeps in memory between requests, as Docker's daemon
 * does: exec instances (created by one request, started by another, inspected
 * after), and attach connections made to a container that has not started
 * yet (`docker run` attaches before it starts).
 */
import type { Readable, Writable } from "node:stream";
import { randomBytes } from "../sys/builtins.ts";

export interface ExecInstance {
  id: string;
  containerId: string;
  args: string[];
  env: string[];
  user: string;
  workdir: string;
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  privileged: boolean;
  detachKeys: string;
  running: boolean;
  /** null until it ended. */
  exitCode: number | null;
  pid: number;
  /** Resizes the exec's terminal once it runs. */
  resize?: (rows: number, columns: number) => void;
  /** The initial terminal size (exec start's ConsoleSize or a resize before it ran). */
  size?: { rows: number; columns: number };
}

/** An attach request waiting for its container to start. */
export interface PendingAttach {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  detachKeys?: string;
  /** Ends the connection once the container's output has ended. */
  finish(): void;
}

export class ApiState {
  readonly execs = new Map<string, ExecInstance>();
  readonly pendingAttach = new Map<string, PendingAttach>();
  /** The exit codes of the runs this service started, watched from the start (an --rm container is gone after). */
  readonly exits = new Map<string, Promise<number>>();
  private readonly startWaiters = new Map<string, Set<() => void>>();

  /** Wakes the `wait`s that wait for this container's next run. */
  started(id: string): void {
    for (const fn of this.startWaiters.get(id) ?? []) fn();
    this.startWaiters.delete(id);
  }

  onStart(id: string, fn: () => void): () => void {
    const set = this.startWaiters.get(id) ?? new Set();
    this.startWaiters.set(id, set);
    set.add(fn);
    return () => set.delete(fn);
  }

  newExecId(): string {
    return randomBytes(32).toString("hex");
  }

  /** Forgets exec instances of containers that are gone (Docker drops them with the container). */
  dropExecsOf(containerId: string): void {
    for (const [id, e] of this.execs) if (e.containerId === containerId) this.execs.delete(id);
  }
}
