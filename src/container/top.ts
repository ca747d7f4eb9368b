/**
 * `top`: the host's `ps` over the processes of a container's cgroup, as
 * moby's daemon/top_unix.go does it: the user's ps options (default `-ef`),
 * `-q PID,…` to narrow ps to the container (retried without it for options
 * that refuse `-q`), then only rows whose PID belongs to the container, with
 * their thread rows (`-m`, PID `-`) kept, and overhanging fields of the last
 * column (a command with spaces) joined into one.
 */
import { execFile } from "node:child_process";
import { StrataError } from "../errors.ts";
import type { ContainerRecord } from "../metadata/index.ts";
import { cgroupOf, cgroupPids } from "../runtime/index.ts";

/** Docker's ContainerTopOKBody. */
export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/** Docker refuses output formats that rename the PID column (`-o user=PID`): rows could not be matched. */
export function validatePsArgs(psArgs: string): void {
  for (const m of psArgs.matchAll(/\s+([^\s]*)=\s*(PID[^\s]*)/g)) {
    if (m[1] !== "pid") {
      throw new StrataError("INVALID_ARGUMENT", `specifying "${m[1]}=${m[2]}" is not allowed`, {
        details: { daemon: true },
      });
    }
  }
}

const fields = (line: string) => line.split(/[\t\n\f\r ]+/).filter((f) => f !== "");

export function parsePsOutput(output: string, pids: readonly number[]): TopResult {
  const lines = output.split("\n");
  const Titles = fields(lines[0] ?? "");
  const pidIndex = Titles.indexOf("PID");
  if (pidIndex === -1) throw new StrataError("INTERNAL", "Couldn't find PID field in ps output");
  const Processes: string[][] = [];
  const add = (f: string[]) =>
    Processes.push([...f.slice(0, Titles.length - 1), f.slice(Titles.length - 1).join(" ")]);
  let previousMatched = false;
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const f = fields(line);
    const pid = f[pidIndex] ?? "";
    // A thread row (ps -m) belongs to the process row above it.
    if (pid === "-") {
      if (previousMatched) add(f);
      continue;
    }
    if (!/^[+-]?\d+$/.test(pid)) throw new StrataError("INTERNAL", `Unexpected pid '${pid}'`);
    previousMatched = pids.includes(Number(pid));
    if (previousMatched) add(f);
  }
  return { Titles, Processes };
}

function ps(
  args: string[],
): Promise<{ ok: true; stdout: string } | { ok: false; stderr: string; error: Error }> {
  return new Promise((resolve) => {
    execFile("ps", args, { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve(error ? { ok: false, stderr, error } : { ok: true, stdout });
    });
  });
}

/** The `ps` table of `pids` with the user's options (`psArgs` as one string, split at spaces as Docker does). */
export async function processTable(pids: readonly number[], psArgs = ""): Promise<TopResult> {
  const given = psArgs === "" ? "-ef" : psArgs;
  validatePsArgs(given);
  const args = given.split(" ");
  let run = await ps([...args, `-q${pids.join(",")}`]);
  // Some ps options (such as f) cannot be combined with -q.
  if (!run.ok) run = await ps(args);
  if (!run.ok) {
    const first = run.stderr.split("\n")[0];
    throw new StrataError("RUNTIME_ERROR", `ps: ${first || run.error.message}`, {
      details: { daemon: true },
    });
  }
  return parsePsOutput(run.stdout, pids);
}

/** The processes of running container `c`; one that ended meanwhile reads as not running. */
export async function topContainer(c: ContainerRecord, psArgs = ""): Promise<TopResult> {
  validatePsArgs(psArgs === "" ? "-ef" : psArgs);
  let pids: number[];
  try {
    pids = cgroupPids(cgroupOf(c.pid));
  } catch {
    throw new StrataError("CONFLICT", `Container ${c.id} is not running`);
  }
  return processTable(pids, psArgs);
}
