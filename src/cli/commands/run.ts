/**
 * `run` and `create`: Docker's flags; an image that is not stored is pulled
 * first with `Unable to find image '…' locally` and the pull's lines on
 * stderr. `run` attaches and exits with the container's status.
 */

import { parseMountFlag, parsePublish, parseTmpfsFlag, parseVolumeFlag } from "../../engine.ts";
import { StrataError } from "../../errors.ts";
import { humanSize } from "../../format/index.ts";
import { familiarString, parseReference } from "../../reference/index.ts";
import { tty } from "../../sys/builtins.ts";
import type { CommandContext, CommandResult } from "../context.ts";
import { renderError } from "../errors.ts";
import type { Io } from "../io.ts";
import { PullRenderer } from "../progress.ts";
import { attachedRun, streams } from "./attached.ts";
import { checkRestartWithRm, parseRestartFlag } from "./restart-flag.ts";
import { type HostFlags, hostOptions, intFlag, parseLabels, readEnvFile } from "./run-flags.ts";

export interface RunFlags extends HostFlags {
  detach?: boolean;
  interactive?: boolean;
  tty?: boolean;
  rm?: boolean;
  restart?: string;
  name?: string;
  env?: string[];
  workdir?: string;
  user?: string;
  entrypoint?: string;
  network?: string;
  networkAlias?: string[];
  ip?: string;
  publish?: string[];
  publishAll?: boolean;
  expose?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  addHost?: string[];
  hostname?: string;
  detachKeys?: string;
  envFile?: string[];
  label?: string[];
  stopSignal?: string;
  stopTimeout?: string;
  volume?: string[];
  mount?: string[];
  tmpfs?: string[];
}

/** The pull's progress goes to stderr; whether that is a terminal is asked only once a pull starts. */
const stderrIo = (io: Io): Io => ({
  out: io.err,
  err: io.err,
  get isTTY() {
    return tty().isatty(2);
  },
  get columns() {
    return io.columns;
  },
});

/** `--expose 80`, `--expose 7000-7002/udp`: port keys; Docker's message for a bad one. */
function exposedKeys(values: string[]): string[] {
  return values.flatMap((v) => {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(v);
    const start = Number(m?.[1]);
    const end = m?.[2] ? Number(m[2]) : start;
    if (!m || end < start || end > 65535) {
      throw new StrataError("INVALID_ARGUMENT", `invalid range format for --expose: ${v}`, {
        details: { exitCode: 125, prefix: "" },
      });
    }
    return Array.from({ length: end - start + 1 }, (_x, i) => `${start + i}/${m[3] ?? "tcp"}`);
  });
}

function createOptions(ctx: CommandContext, image: string, command: string[], flags: RunFlags) {
  const renderer = new PullRenderer(stderrIo(ctx.io), humanSize);
  const restartPolicy = flags.restart === undefined ? undefined : parseRestartFlag(flags.restart);
  checkRestartWithRm(restartPolicy, flags.rm);
  return {
    restartPolicy,
    image,
    name: flags.name,
    cmd: command.length > 0 ? command : undefined,
    entrypoint:
      flags.entrypoint === undefined ? undefined : flags.entrypoint === "" ? [] : [flags.entrypoint],
    // Docker reads the env files first, so -e wins over them.
    env: [...(flags.envFile ?? []).flatMap(readEnvFile), ...(flags.env ?? [])],
    workdir: flags.workdir,
    user: flags.user,
    hostname: flags.hostname,
    tty: flags.tty ?? false,
    openStdin: flags.interactive ?? false,
    network: flags.network,
    networkAliases: flags.networkAlias,
    ip: flags.ip,
    ports: (flags.publish ?? []).flatMap(parsePublish),
    publishAll: flags.publishAll,
    expose: exposedKeys(flags.expose ?? []),
    dns: flags.dns,
    dnsSearch: flags.dnsSearch,
    dnsOptions: flags.dnsOption,
    extraHosts: flags.addHost,
    autoRemove: flags.rm ?? false,
    detach: flags.detach ?? false,
    hostConfig: hostOptions(flags),
    labels: parseLabels(flags.label),
    stopSignal: flags.stopSignal,
    stopTimeout: flags.stopTimeout === undefined ? undefined : intFlag("stopTimeout", flags.stopTimeout),
    mounts: [
      ...(flags.volume ?? []).map((v) => parseVolumeFlag(v)),
      ...(flags.mount ?? []).map(parseMountFlag),
      ...(flags.tmpfs ?? []).map(parseTmpfsFlag),
    ],
    onPullStart: (ref: string) =>
      ctx.io.err(`Unable to find image '${familiarString(parseReference(ref))}' locally\n`),
    onPullProgress: renderer.onEvent,
  };
}

/**
 * How Docker's CLI reports a failed `run` or `create` (cli/command/container
 * reportError): `docker: <error>.`, with the help hint when the container
 * could not be created, and exit 125 when the engine failed rather than the
 * command (126/127, carried by the error, when the command cannot run).
 */
function reportError(ctx: CommandContext, name: string, err: unknown, withHelp: boolean): CommandResult {
  // A flag value the CLI itself refuses (`--mount` keys): pflag's line, no prefix.
  if (err instanceof StrataError && err.details.flagError) {
    ctx.io.err(`${err.message}\nSee 'strata ${name} --help'.\n`);
    return { exitCode: 125 };
  }
  const rendered = renderError(err);
  // Docker finds some problems only when it starts the container (an unknown network): no hint then.
  const hinted = withHelp && !(err instanceof StrataError && err.details.help === false);
  const help = hinted ? `\nSee 'strata ${name} --help'.` : "";
  if (err instanceof StrataError && err.details.usage) {
    // A bad flag value is the CLI's own usage error, printed as cobra prints it.
    ctx.io.err(`${err.message}\nSee 'strata ${name} --help'.\n`);
    return { exitCode: 125 };
  }
  ctx.io.err(`strata: ${rendered.message.replace(/\.$/, "")}.${help}\n`);
  const code = err instanceof StrataError ? err.details.exitCode : undefined;
  return { exitCode: typeof code === "number" ? code : 125 };
}

export async function create(
  ctx: CommandContext,
  image: string,
  command: string[],
  flags: RunFlags,
): Promise<CommandResult> {
  try {
    const engine = await ctx.engine();
    const id = await engine.containers.create(createOptions(ctx, image, command, flags));
    ctx.io.out(`${id}\n`);
    return { exitCode: 0 };
  } catch (err) {
    return reportError(ctx, "create", err, true);
  }
}

export async function run(
  ctx: CommandContext,
  image: string,
  command: string[],
  flags: RunFlags,
): Promise<CommandResult> {
  const engine = await ctx.engine();
  let id: string;
  try {
    id = await engine.containers.create(createOptions(ctx, image, command, flags));
  } catch (err) {
    return reportError(ctx, "run", err, true);
  }
  try {
    if (flags.detach) {
      // Docker's CLI prints the ID while the start is under way: a failed start still shows it.
      ctx.io.out(`${id}\n`);
      await engine.containers.start(id);
      return { exitCode: 0 };
    }
    const code = await attachedRun(ctx, id, !flags.tty, () =>
      engine.containers.startAttached(id, streams(flags)),
    );
    return { exitCode: code ?? 0 };
  } catch (err) {
    if (flags.rm) await engine.containers.remove(id, { force: true, volumes: true }).catch(() => {});
    return reportError(ctx, "run", err, false);
  }
}
