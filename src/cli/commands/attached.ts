/**
 * What `run`, `start -a` and `attach` share at the terminal: the process's
 * streams (stdin only with -i), and Docker's signal proxy: without a
 * terminal, Ctrl-C and `kill` reach the container instead of ending the CLI
 * (with one, Ctrl-C is a byte the container's terminal turns into SIGINT).
 */
import type { AttachStreams } from "../../container/index.ts";
import type { CommandContext } from "../context.ts";

export interface StreamFlags {
  interactive?: boolean;
  detachKeys?: string;
}

export function streams(flags: StreamFlags): AttachStreams {
  return {
    stdin: flags.interactive ? process.stdin : undefined,
    stdout: process.stdout,
    stderr: process.stderr,
    detachKeys: flags.detachKeys,
  };
}

const PROXIED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];

/**
 * Runs an attached session; with `proxySignals` (Docker's --sig-proxy, on
 * by default without a terminal) the container receives the CLI's signals.
 */
export async function attachedRun<T>(
  ctx: CommandContext,
  id: string,
  proxySignals: boolean,
  session: () => Promise<T>,
): Promise<T> {
  const engine = await ctx.engine();
  const proxy = (signal: NodeJS.Signals) => {
    engine.containers.kill(id, { signal }).catch(() => {});
  };
  const handlers = proxySignals ? PROXIED.map((s) => [s, () => proxy(s)] as const) : [];
  for (const [s, h] of handlers) process.on(s, h);
  try {
    return await session();
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
  }
}
