/**
 * BuildKit's progress for `build`: `--progress=plain` as Docker 20.10 prints
 * it (`#N name`, `#N sha256:…`, status and log lines, `#N DONE 0.2s`,
 * `#N CACHED`, `#N ERROR: …` then the failed step's last lines between
 * dashes), and on a terminal a live view that redraws the running steps.
 */
import type { BuildEvent } from "../build/index.ts";

const sec = (s: number) => `${s.toFixed(1)}s`;

interface Tracked {
  id: number;
  name: string;
  state: "started" | "done" | "cached" | "error";
  seconds: number;
  startedAt: number;
  logs: string[];
}

type VertexEvent = Extract<BuildEvent, { type: "vertex" }>;

/** The vertex an event is about, tracked from its first event on; `fresh` when this event is its first. */
function track(vertices: Map<number, Tracked>, e: VertexEvent): { v: Tracked; fresh: boolean } {
  const known = vertices.get(e.id);
  if (known) return { v: known, fresh: false };
  const v: Tracked = {
    id: e.id,
    name: e.name,
    state: "started",
    seconds: 0,
    startedAt: Date.now(),
    logs: [],
  };
  vertices.set(e.id, v);
  return { v, fresh: true };
}

export class PlainProgress {
  private readonly vertices = new Map<number, Tracked>();
  private failed?: Tracked;

  constructor(private readonly write: (s: string) => void) {}

  private header(v: Tracked, digest: string): void {
    this.write(`#${v.id} ${v.name}\n#${v.id} ${digest}\n`);
  }

  handle(e: BuildEvent): void {
    if (e.type === "vertex") {
      const { v, fresh } = track(this.vertices, e);
      if (fresh) this.header(v, e.digest);
      v.state = e.state;
      if (e.state === "done") this.write(`#${e.id} DONE ${sec(e.seconds)}\n\n`);
      else if (e.state === "cached") this.write(`#${e.id} CACHED\n\n`);
      else if (e.state === "error") {
        this.write(`#${e.id} ERROR: ${e.error}\n`);
        this.failed = v;
      }
    } else if (e.type === "status") {
      this.write(`#${e.id} ${e.text}\n`);
    } else {
      const v = this.vertices.get(e.id);
      const line = `#${e.id} ${e.seconds.toFixed(3)} ${e.data}`;
      v?.logs.push(line);
      this.write(`${line}\n`);
    }
  }

  /** The error block BuildKit prints after a failed step. */
  finishError(): void {
    const v = this.failed;
    if (!v) return;
    const tail = v.logs.slice(-10);
    this.write(`------\n > ${v.name}:\n${tail.map((l) => `${l}\n`).join("")}------\n`);
  }
}

/** The terminal view: one line per step, redrawn in place, running steps' last output under them. */
export class TtyProgress {
  private readonly vertices = new Map<number, Tracked>();
  private readonly start = Date.now();
  private drawn = 0;
  private timer?: NodeJS.Timeout;
  private failed?: Tracked;

  constructor(
    private readonly write: (s: string) => void,
    private readonly columns: number,
  ) {
    this.timer = setInterval(() => this.draw(false), 150);
    this.timer.unref();
  }

  handle(e: BuildEvent): void {
    if (e.type === "vertex") {
      const { v } = track(this.vertices, e);
      v.state = e.state;
      if (e.state !== "started") v.seconds = e.seconds;
      if (e.state === "error") this.failed = v;
    } else if (e.type === "log") {
      this.vertices.get(e.id)?.logs.push(e.data);
    }
  }

  private line(text: string, right: string): string {
    const room = Math.max(10, this.columns - right.length - 1);
    const t = text.length > room ? `${text.slice(0, room - 1)}…` : text.padEnd(room);
    return `${t} ${right}`;
  }

  private draw(final: boolean): void {
    const all = [...this.vertices.values()];
    const doneCount = all.filter((v) => v.state !== "started").length;
    const elapsed = sec((Date.now() - this.start) / 1000);
    const out: string[] = [
      `[+] Building ${elapsed} (${doneCount}/${all.length})${final ? (this.failed ? "" : " FINISHED") : ""}`,
    ];
    for (const v of all) {
      const t = v.state === "started" ? (Date.now() - v.startedAt) / 1000 : v.seconds;
      const right = v.state === "cached" ? "0.0s" : sec(t);
      const prefix = v.state === "cached" ? " => CACHED " : v.state === "error" ? " => ERROR " : " => ";
      out.push(this.line(`${prefix}${v.name}`, right));
      if (v.state === "started" || v.state === "error") {
        for (const l of v.logs.slice(-6)) out.push(this.line(` => => # ${l}`, ""));
      }
    }
    let s = this.drawn > 0 ? `\x1b[${this.drawn}A` : "";
    for (const l of out) s += `\x1b[2K${l}\n`;
    this.drawn = out.length;
    this.write(s);
  }

  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.draw(true);
  }

  finishError(): void {
    this.finish();
    const v = this.failed;
    if (!v) return;
    const tail = v.logs.slice(-10);
    this.write(`------\n > ${v.name}:\n${tail.map((l) => `${l}\n`).join("")}------\n`);
  }
}
