/**
 * `docker stop`: the stop signal, then SIGKILL if the container is still
 * running after the grace period. A container's init ignores signals it has
 * no handler for (pid 1 of its namespace), so `sleep` needs the SIGKILL.
 */
import { isStrataError } from "../errors.ts";
import { waitExitStatus } from "./exit.ts";
import { killContainer, type RuntimeOptions } from "./runtime-cli.ts";

export interface StopOptions extends RuntimeOptions {
  /** Seconds between the stop signal and SIGKILL (Docker: 10): 0 sends SIGKILL right after it, -1 never. */
  timeout?: number;
  /** Docker's StopSignal, SIGTERM by default. */
  signal?: NodeJS.Signals | number;
  /** Told each signal before it is sent (Docker logs a `kill` event for each). */
  onSignal?: (signal: NodeJS.Signals | number) => void;
}

async function sendIgnoringStopped(
  id: string,
  signal: NodeJS.Signals | number,
  opts: RuntimeOptions,
): Promise<void> {
  try {
    await killContainer(id, signal, opts);
  } catch (err) {
    // It ended (or was removed) on its own in the meantime: that is what was wanted.
    if (!isStrataError(err, "CONFLICT") && !isStrataError(err, "NOT_FOUND")) throw err;
  }
}

/**
 * Resolves with the exit code once conmon has recorded the end. As moby's
 * containerStop: the stop signal first, whatever the timeout; then SIGKILL
 * once `timeout` seconds have passed (at once for 0); a negative timeout
 * waits for the container as long as it takes.
 */
export async function stopContainer(
  id: string,
  containerDir: string,
  opts: StopOptions = {},
): Promise<number> {
  const timeout = opts.timeout ?? 10;
  const signal = opts.signal ?? "SIGTERM";
  opts.onSignal?.(signal);
  await sendIgnoringStopped(id, signal, opts);
  if (timeout < 0) return (await waitExitStatus(containerDir)).exitCode;
  if (timeout > 0) {
    try {
      return (await waitExitStatus(containerDir, { timeoutMs: timeout * 1000 })).exitCode;
    } catch (err) {
      if (!isStrataError(err, "ABORTED")) throw err;
    }
  }
  opts.onSignal?.("SIGKILL");
  await sendIgnoringStopped(id, "SIGKILL", opts);
  return (await waitExitStatus(containerDir)).exitCode;
}
