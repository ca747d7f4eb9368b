/**
 * Shared pieces of the benchmarks: timing a command as a whole process
 * (several runs, median), peak RSS from /usr/bin/time, and ratio printing.
 * Benchmarks run on demand (`npm run bench:*`), never in the test suite.
 */
import { spawnSync } from "node:child_process";

export interface Sample {
  wallMs: number;
  maxRssKb: number;
}

/** Runs `cmd` once under /usr/bin/time -f, returning wall time and peak RSS. */
export function timeOnce(cmd: string[], env: NodeJS.ProcessEnv = process.env, setup?: () => void): Sample {
  setup?.();
  const start = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", ...cmd], { env, encoding: "utf8" });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${cmd.join(" ")} exited ${r.status}: ${r.stderr.slice(-500)}`);
  }
  const lines = r.stderr.trim().split("\n");
  return { wallMs, maxRssKb: Number(lines.at(-1)) };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Measured {
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  maxRssKb: number;
}

/** `runs` timed runs after one warm-up; `setup` runs before each (not timed). */
export function measure(
  name: string,
  cmd: string[],
  opts: { runs?: number; setup?: () => void; env?: NodeJS.ProcessEnv } = {},
): Measured {
  const runs = opts.runs ?? 5;
  timeOnce(cmd, opts.env, opts.setup);
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(timeOnce(cmd, opts.env, opts.setup));
  const walls = samples.map((s) => s.wallMs);
  return {
    name,
    medianMs: median(walls),
    minMs: Math.min(...walls),
    maxMs: Math.max(...walls),
    maxRssKb: Math.max(...samples.map((s) => s.maxRssKb)),
  };
}

export function report(rows: Measured[]): void {
  for (const r of rows) {
    process.stdout.write(
      `${r.name.padEnd(48)} median ${r.medianMs.toFixed(0).padStart(6)} ms  (min ${r.minMs.toFixed(0)}, max ${r.maxMs.toFixed(0)})  peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB\n`,
    );
  }
}

export function ratio(label: string, a: Measured, b: Measured, target?: number): void {
  const x = a.medianMs / b.medianMs;
  const verdict =
    target === undefined
      ? ""
      : x <= target
        ? `  (target ≤ ${target}: met)`
        : `  (target ≤ ${target}: NOT met)`;
  process.stdout.write(`${label.padEnd(48)} ${x.toFixed(2)}×${verdict}\n`);
}
