/**
 * Build progress as BuildKit's solve status has it: vertices (numbered in the
 * order they appear) that start, log, and end as DONE, CACHED or ERROR. The
 * CLI turns them into `--progress=plain` lines or a live terminal view; the
 * API into its JSON stream.
 */
import { createHash } from "node:crypto";

export type BuildEvent =
  | { type: "vertex"; id: number; digest: string; name: string; state: "started" }
  | { type: "vertex"; id: number; digest: string; name: string; state: "done" | "cached"; seconds: number }
  | {
      type: "vertex";
      id: number;
      digest: string;
      name: string;
      state: "error";
      seconds: number;
      error: string;
    }
  | { type: "status"; id: number; text: string }
  | { type: "log"; id: number; seconds: number; data: string };

export type BuildListener = (e: BuildEvent) => void;

export class Vertex {
  private startedAt = 0;
  private ended = false;

  constructor(
    private readonly emit: BuildListener,
    readonly id: number,
    readonly name: string,
    readonly digest: string,
  ) {}

  start(): this {
    this.startedAt = performance.now();
    this.emit({ type: "vertex", id: this.id, digest: this.digest, name: this.name, state: "started" });
    return this;
  }

  private seconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  status(text: string): void {
    this.emit({ type: "status", id: this.id, text });
  }

  log(data: string): void {
    this.emit({ type: "log", id: this.id, seconds: this.seconds(), data });
  }

  done(): void {
    this.end("done", this.seconds());
  }

  cached(): void {
    this.end("cached", 0);
  }

  fail(error: string): void {
    this.end("error", this.seconds(), error);
  }

  /** A vertex ends once: a later done/fail (a step's clean-up after its error) is not reported. */
  private end(state: "done" | "cached" | "error", seconds: number, error?: string): void {
    if (this.ended) return;
    this.ended = true;
    const v = { type: "vertex" as const, id: this.id, digest: this.digest, name: this.name, seconds };
    this.emit(state === "error" ? { ...v, state, error: error ?? "" } : { ...v, state });
  }
}

export class Progress {
  private next = 1;
  constructor(private readonly listener: BuildListener = () => {}) {}

  vertex(name: string, digest?: string): Vertex {
    const d = digest ?? `sha256:${createHash("sha256").update(name).digest("hex")}`;
    return new Vertex(this.listener, this.next++, name, d);
  }
}
