/**
 * Creating a container under conmon, the monitor Podman uses: conmon runs
 * `crun create`, then outlives the CLI, holding the container's stdio (log
 * file and attach socket), reaping it and writing its exit code. The
 * container's process waits in the runtime until startContainer().
 *
 * Why conmon rather than a monitor of strata's own: a Node monitor would cost
 * ~120 ms to start and ~40 MB resident per container for the container's
 * lifetime (measured here: conmon ~2 MB, starts in a few ms), and conmon
 * already solves the hard parts — subreaping, pty handling through
 * --console-socket, OOM reporting, log formats and an attach socket that
 * survives the CLI.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { StrataError } from "../errors.ts";
import { spawnConmon } from "./conmon-pipes.ts";
import { conmonPath, ensureHostReady, type RuntimeName, runtimeGlobalArgs, runtimePath } from "./host.ts";
import { containerFiles } from "./paths.ts";
import { writeRecord } from "./record.ts";
import { deleteContainer, state } from "./runtime-cli.ts";
import { startError } from "./runtime-errors.ts";

export interface CreateContainerOptions {
  /** The runtime's container id (strata's 64-hex id). */
  id: string;
  /** For conmon's log tag; the id when omitted. */
  name?: string;
  /** Holds config.json (buildSpec); conmon adds its attach socket and ctl/winsz fifos here. */
  bundleDir: string;
  /** Log, pid files, exit code and strata's record (see paths.ts); may equal bundleDir. */
  containerDir: string;
  tty: boolean;
  /** Keep a stdin open for attach (-i). */
  stdin: boolean;
  /**
   * Close the container's stdin when the first attached client goes away or
   * ends its input (Docker's StdinOnce, set by `docker run -i`). Without a
   * terminal only; a terminal's input stays open across detaches.
   */
  stdinOnce?: boolean;
  runtime?: RuntimeName;
  /** Run by conmon after the container exits (absolute path first), e.g. strata's cleanup. */
  exitCommand?: string[];
  /** How long the runtime may take to create the container. */
  timeoutMs?: number;
  /** Descriptors conmon inherits and holds while the container lives (published ports' sockets). */
  holdFds?: number[];
  /** Whether conmon fsyncs the log when the container ends, before it records the exit (default true). */
  syncLog?: boolean;
}

export interface CreatedContainer {
  runtime: RuntimeName;
  /** The container's init process, waiting to be started. */
  pid: number;
  conmonPid: number;
}

export function conmonCreateArgs(opts: CreateContainerOptions, runtime: RuntimeName): string[] {
  const files = containerFiles(opts.containerDir);
  // biome-ignore format: flag/value pairs read better one per line
  const args = [
    "--api-version", "1",
    "-c", opts.id,
    "-u", opts.id,
    "-n", opts.name ?? opts.id,
    "-r", runtimePath(runtime),
    "-b", opts.bundleDir,
    "-p", files.pidFile,
    "-l", `k8s-file:${files.log}`,
    // Writes <containerDir>/exit (and /oom), instead of an exits directory keyed by id.
    "--persist-dir", opts.containerDir,
    // The attach socket goes in the bundle directory itself (no symlink in a sockets directory).
    "--full-attach",
    "--conmon-pidfile", files.conmonPidFile,
    "--log-level", "error",
  ];
  for (const a of runtimeGlobalArgs(runtime)) args.push("--runtime-arg", a);
  if (opts.syncLog === false) args.push("--no-sync-log");
  // As Podman: a terminal carries stdin itself; -i only opens a pipe when there is none.
  if (opts.tty) args.push("-t");
  else if (opts.stdin) {
    args.push("-i");
    if (!opts.stdinOnce) args.push("--leave-stdin-open");
  }
  if (opts.exitCommand && opts.exitCommand.length > 0) {
    const [cmd, ...rest] = opts.exitCommand;
    args.push("--exit-command", cmd as string);
    for (const a of rest) args.push("--exit-command-arg", a);
  }
  return args;
}

/**
 * A restart (`docker start` of an exited container) reuses the id: the
 * runtime's record of the previous run must go first. A live one is a conflict.
 */
async function clearPreviousRun(id: string, runtime: RuntimeName): Promise<void> {
  // The runtimes keep their state under /run/<name>/<id> (root's default): no
  // directory, no previous run, and no need to spend a process finding out.
  if (!existsSync(`/run/${runtime}/${id}`)) return;
  const previous = await state(id, { runtime });
  if (previous === null) return;
  if (previous.status !== "stopped") {
    throw new StrataError("CONFLICT", `container ${id} is already ${previous.status} in the runtime`);
  }
  await deleteContainer(id, { runtime });
}

export async function createContainer(opts: CreateContainerOptions): Promise<CreatedContainer> {
  const runtime = ensureHostReady(opts.runtime);
  await clearPreviousRun(opts.id, runtime);
  const files = containerFiles(opts.containerDir);
  mkdirSync(opts.containerDir, { recursive: true });
  // A previous run's exit code must not be mistaken for this one's (its log is kept and appended to).
  for (const f of [files.exitFile, files.oomFile, files.pidFile, files.conmonPidFile])
    rmSync(f, { force: true });

  const conmon = spawnConmon(conmonPath(), conmonCreateArgs(opts, runtime), {
    startPipe: false,
    attachPipe: false,
    extraFds: opts.holdFds,
  });
  let pid: number;
  try {
    await conmon.launched;
    const msg = await conmon.sync.next(opts.timeoutMs ?? 120_000, "creating the container");
    if (msg === null) {
      throw new StrataError(
        "RUNTIME_ERROR",
        `conmon ended without creating the container: ${conmon.stderr().trim()}`,
      );
    }
    if (msg.data < 0) {
      await deleteContainer(opts.id, { runtime, force: true }).catch(() => {});
      throw startError(msg.message ?? "the runtime failed without a message", "create");
    }
    pid = msg.data;
  } finally {
    conmon.release();
  }
  const conmonPid = Number(readFileSync(files.conmonPidFile, "utf8").trim());
  writeRecord(opts.containerDir, {
    id: opts.id,
    runtime,
    bundleDir: opts.bundleDir,
    tty: opts.tty,
    stdin: opts.stdin,
    pid,
    conmonPid,
    exitCommand: opts.exitCommand,
  });
  return { runtime, pid, conmonPid };
}
