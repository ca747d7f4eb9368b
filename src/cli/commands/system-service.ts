/**
 * `system service [--time SECONDS] [unix://PATH]` (Podman's shape): serves
 * the Docker Engine API on a unix socket until it has been idle for SECONDS.
 * Only unix sockets: a TCP listener would need TLS with client certificates.
 */
import { StrataError } from "../../errors.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";

export interface ServiceFlags {
  time?: string;
}

function socketPath(uri: string | undefined, dflt: string): string {
  if (uri === undefined || uri === "") return dflt;
  if (uri.startsWith("unix://")) {
    const path = uri.slice("unix://".length);
    if (path.startsWith("/")) return path;
  }
  if (/^(tcp|http|https):\/\//.test(uri)) {
    throw new StrataError(
      "INVALID_ARGUMENT",
      `strata serves the API only on a unix socket, not ${uri} (a TCP listener needs TLS with client certificates)`,
    );
  }
  throw new StrataError(
    "INVALID_ARGUMENT",
    `invalid URI ${JSON.stringify(uri)}: expected unix:///absolute/path`,
  );
}

export async function run(
  ctx: CommandContext,
  uri: string | undefined,
  flags: ServiceFlags,
): Promise<CommandResult> {
  const time = flags.time === undefined ? 5 : Number(flags.time);
  if (!Number.isInteger(time) || time < 0) {
    throw new StrataError(
      "INVALID_ARGUMENT",
      `invalid argument "${flags.time}" for "-t, --time" flag: must be a whole number of seconds`,
    );
  }
  const { serve, DEFAULT_SOCKET } = await import("../../api/server.ts");
  const socket = socketPath(uri, DEFAULT_SOCKET);
  const engine = await ctx.engine();
  const service = await serve({ engine, socket, idleSeconds: time });
  const stop = () => void service.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await service.done;
  // The service watches the exits of containers it started; those still running
  // would hold the process open after a SIGTERM. Stopped is stopped: end once main is done.
  setTimeout(() => process.exit(), 200).unref();
  return ok;
}
