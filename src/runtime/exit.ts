/**
 * Waiting for a container's end from any process: conmon writes the exit
 * code to <containerDir>/exit (atomically: temporary file, then rename) after
 * the container's output is drained. A watch on the directory wakes the
 * waiter; a slow timer also checks that conmon is still alive, so a monitor
 * killed before it could write turns into an error instead of a hang.
 */
import { existsSync, readFileSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { StrataError } from "../errors.ts";
import { containerFiles } from "./paths.ts";

export interface ExitStatus {
  /** Docker's convention: 128 + signal for a container ended by a signal. */
  exitCode: number;
  /** The kernel's OOM killer ended it. */
  oomKilled: boolean;
}

/** The recorded exit, or null while the container has not ended. */
export function readExit(containerDir: string): ExitStatus | null {
  const files = containerFiles(containerDir);
  let text: string;
  try {
    text = readFileSync(files.exitFile, "utf8");
  } catch {
    return null;
  }
  const exitCode = Number.parseInt(text.trim(), 10);
  return { exitCode: Number.isNaN(exitCode) ? -1 : exitCode, oomKilled: existsSync(files.oomFile) };
}

function conmonPid(containerDir: string): number {
  try {
    return Number(readFileSync(containerFiles(containerDir).conmonPidFile, "utf8").trim());
  } catch {
    return 0;
  }
}

/**
 * Whether the container's monitor still runs: its pid is alive, not a zombie
 * (which still answers kill(0)), and still conmon — after a reboot the pid
 * may belong to another program.
 */
export function monitorAlive(containerDir: string): boolean {
  const pid = conmonPid(containerDir);
  if (!(pid > 0)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    return stat.slice(stat.indexOf("(") + 1, close) === "conmon" && stat[close + 2] !== "Z";
  } catch {
    return false;
  }
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Give up (ABORTED) after this long. */
  timeoutMs?: number;
}

export function waitExitStatus(containerDir: string, opts: WaitOptions = {}): Promise<ExitStatus> {
  const exitFile = containerFiles(containerDir).exitFile;
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: Error | null, status?: ExitStatus) => {
      if (done) return;
      done = true;
      watcher.close();
      clearInterval(timer);
      if (deadline) clearTimeout(deadline);
      opts.signal?.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve(status as ExitStatus);
    };
    const check = () => {
      const status = readExit(containerDir);
      if (status) finish(null, status);
      return status !== null;
    };
    // Watch first, then look: an exit written in between is not missed.
    const watcher = watch(dirname(exitFile), (_event, name) => {
      if (name === null || name === basename(exitFile)) check();
    });
    watcher.on("error", () => {});
    const timer = setInterval(() => {
      if (check()) return;
      // conmon writes the exit file before it exits: gone without one, it was killed.
      if (!monitorAlive(containerDir) && !check()) {
        finish(
          new StrataError(
            "RUNTIME_ERROR",
            `the container's monitor (conmon, pid ${conmonPid(containerDir)}) ended without recording an exit code`,
          ),
        );
      }
    }, 1000);
    const onAbort = () => finish(new StrataError("ABORTED", "stopped waiting for the container"));
    opts.signal?.addEventListener("abort", onAbort);
    const deadline =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(
            () =>
              finish(new StrataError("ABORTED", `the container did not exit within ${opts.timeoutMs} ms`)),
            opts.timeoutMs,
          );
    if (opts.signal?.aborted) onAbort();
    else check();
  });
}

/** The container's exit code, once conmon has recorded it. */
export async function waitExit(containerDir: string, opts: WaitOptions = {}): Promise<number> {
  return (await waitExitStatus(containerDir, opts)).exitCode;
}
