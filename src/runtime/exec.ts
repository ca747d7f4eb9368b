/**
 * `docker exec` through conmon's exec mode, as Podman does it: conmon runs
 * `crun exec --detach` for a process spec derived from the container's,
 * holds the process's stdio behind an attach socket of the session's own
 * (a terminal too: conmon takes the pty from crun's --console-socket, so no
 * terminal is needed on strata's side), and reports the pid and then the exit
 * code on its sync pipe. With --exec-attach conmon waits for a second start
 * message before running the runtime, so the attach is in place before the
 * process writes anything.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { StrataError } from "../errors.ts";
import { crypto } from "../sys/builtins.ts";
import { type AttachSession, attachSocket } from "./attach.ts";
import { spawnConmon } from "./conmon-pipes.ts";
import { replaceOrAppendEnv } from "./env.ts";
import { conmonPath, ensureHostReady, type RuntimeName, runtimeGlobalArgs, runtimePath } from "./host.ts";
import type { OciProcess, OciSpec } from "./oci-spec.ts";
import { bundleFiles } from "./paths.ts";
import { resizeControl, type TerminalSize } from "./resize.ts";
import { state } from "./runtime-cli.ts";
import { startError } from "./runtime-errors.ts";
import type { ProcessUser } from "./user.ts";

export interface ExecOptions {
  args: string[];
  /** `-e` entries, added to the container's environment. */
  env?: string[];
  /** `-w`; the container's working directory by default. */
  cwd?: string;
  /** `-u`, resolved with resolveUser; the container's user by default. */
  user?: ProcessUser;
  tty?: boolean;
  /** Start it and return at once (`docker exec -d`). */
  detach?: boolean;
  /** The process's input (`-i`); without it the process reads /dev/null. */
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  detachKeys?: string;
  /** Where session directories go (<dir>/exec/<session>); the container's bundle directory by default. */
  containerDir?: string;
  runtime?: RuntimeName;
  /** How long the runtime may take to start the process. */
  timeoutMs?: number;
  /** The terminal's size from the start (with `tty`). */
  size?: TerminalSize;
  /** Called once the process runs: its pid, and a way to resize its terminal (the API's exec resize). */
  onStarted?: (session: { pid: number; resize(size: TerminalSize): void }) => void;
}

export interface ExecResult {
  /** The process's pid in the host's pid namespace. */
  pid: number;
  /** null when detached (-d, or the detach keys): the process still runs. */
  exitCode: number | null;
}

/** Docker's exec process: the container's, with this exec's command, terminal, user, directory and additions. */
function execProcess(base: OciProcess, opts: ExecOptions): OciProcess {
  const user = opts.user
    ? { uid: opts.user.uid, gid: opts.user.gid, additionalGids: opts.user.additionalGids }
    : base.user;
  let env = base.env;
  if (opts.tty && !env.some((e) => e.startsWith("TERM="))) env = [...env, "TERM=xterm"];
  const bounding = base.capabilities.bounding;
  return {
    ...base,
    terminal: opts.tty ?? false,
    user,
    args: opts.args,
    env: replaceOrAppendEnv(env, opts.env ?? []),
    cwd: opts.cwd || base.cwd,
    capabilities: user.uid === 0 ? { bounding, effective: bounding, permitted: bounding } : { bounding },
  };
}

/** Sessions whose process has ended (conmon wrote their exit) are not needed again. */
function removeFinishedSessions(sessionsDir: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(sessionsDir);
  } catch {
    return;
  }
  for (const n of names) {
    if (existsSync(join(sessionsDir, n, "exit")))
      rmSync(join(sessionsDir, n), { recursive: true, force: true });
  }
}

export async function execInContainer(id: string, opts: ExecOptions): Promise<ExecResult> {
  if (opts.args.length === 0) throw new StrataError("INVALID_ARGUMENT", "No exec command specified");
  const runtime = ensureHostReady(opts.runtime);
  const st = await state(id, { runtime });
  if (!st) throw new StrataError("NOT_FOUND", `No such container: ${id}`);
  if (st.status === "paused") {
    throw new StrataError("CONFLICT", `Container ${id} is paused, unpause the container before exec`);
  }
  if (st.status !== "running") throw new StrataError("CONFLICT", `Container ${id} is not running`);
  const spec = JSON.parse(readFileSync(join(st.bundle, "config.json"), "utf8")) as OciSpec;

  const sessionsDir = join(opts.containerDir ?? st.bundle, "exec");
  removeFinishedSessions(sessionsDir);
  const session = crypto().randomBytes(16).toString("hex");
  const dir = join(sessionsDir, session);
  mkdirSync(dir, { recursive: true });
  const processFile = join(dir, "process.json");
  writeFileSync(processFile, JSON.stringify(execProcess(spec.process, opts)));

  const interactive = opts.stdin !== undefined && !opts.detach;
  // biome-ignore format: flag/value pairs read better one per line
  const args = [
    "--api-version", "1",
    "-c", id,
    "-u", session,
    "-n", id,
    "-r", runtimePath(runtime),
    "-b", dir,
    "-p", join(dir, "pid"),
    "-l", "none",
    "--persist-dir", dir,
    "--full-attach",
    "--log-level", "error",
  ];
  for (const a of runtimeGlobalArgs(runtime)) args.push("--runtime-arg", a);
  if (opts.tty) args.push("-t");
  if (interactive) args.push("-i");
  args.push("--exec", "--exec-attach", "--exec-process-spec", processFile);

  const timeout = opts.timeoutMs ?? 120_000;
  const conmon = spawnConmon(conmonPath(), args, { startPipe: true, attachPipe: true });
  let attached: AttachSession | undefined;
  let keepDir = false;
  try {
    conmon.start?.write(Buffer.from([0]));
    await conmon.launched;
    const ready = await conmon.attach?.next(timeout, "the exec session's attach socket");
    if (!ready || ready.data < 0) {
      throw new StrataError(
        "RUNTIME_ERROR",
        `conmon could not set up the exec session: ${ready?.message ?? conmon.stderr().trim()}`,
      );
    }
    if (!opts.detach) {
      attached = attachSocket(bundleFiles(dir), {
        stdin: opts.stdin,
        stdout: opts.stdout,
        stderr: opts.stderr,
        tty: opts.tty ?? false,
        detachKeys: opts.detachKeys,
      });
    }
    // The second start message lets conmon run `crun exec`.
    conmon.start?.write(Buffer.from([0]));
    const started = await conmon.sync.next(timeout, "starting the exec process");
    if (started === null) {
      throw new StrataError(
        "RUNTIME_ERROR",
        `conmon ended before the exec process started: ${conmon.stderr().trim()}`,
      );
    }
    if (started.data < 0) throw startError(started.message ?? "the runtime failed without a message", "exec");
    const pid = started.data;
    const ctl = bundleFiles(dir).ctl;
    if (opts.tty && opts.size) resizeControl(ctl, opts.size);
    opts.onStarted?.({ pid, resize: (size) => resizeControl(ctl, size) });
    if (!attached) {
      keepDir = true;
      return { pid, exitCode: null };
    }
    const result = await attached.done;
    if (result.detached) {
      keepDir = true;
      return { pid, exitCode: null };
    }
    const exited = await conmon.sync.next(Number.POSITIVE_INFINITY, "the exec process's exit");
    if (exited !== null) return { pid, exitCode: exited.data };
    const recorded = readFileSync(join(dir, "exit"), "utf8");
    return { pid, exitCode: Number.parseInt(recorded, 10) };
  } catch (err) {
    attached?.detach();
    throw err;
  } finally {
    conmon.release();
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  }
}
