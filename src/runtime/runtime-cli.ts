/**
 * The OCI runtime's command line (crun or runc, same verbs): start, kill,
 * delete and state of containers conmon created. Each call is one short
 * process (crun starts in ~4 ms).
 */
import { StrataError } from "../errors.ts";
import { childProcess } from "../sys/builtins.ts";
import { defaultRuntime, type RuntimeName, runtimeGlobalArgs, runtimePath } from "./host.ts";

export interface RuntimeOptions {
  /** Which runtime created the container; crun when installed. */
  runtime?: RuntimeName;
}

export type RuntimeStatus = "creating" | "created" | "running" | "paused" | "stopped";

export interface RuntimeState {
  status: RuntimeStatus;
  /** 0 once the container has stopped. */
  pid: number;
  bundle: string;
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function runRuntime(args: string[], opts: RuntimeOptions = {}): Promise<Result> {
  const name = opts.runtime ?? defaultRuntime();
  const bin = runtimePath(name);
  return new Promise((resolve, reject) => {
    childProcess().execFile(
      bin,
      [...runtimeGlobalArgs(name), ...args],
      { encoding: "utf8" },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") {
          reject(new StrataError("RUNTIME_ERROR", `cannot run ${bin}`, { cause: err }));
          return;
        }
        resolve({ code: err ? (err.code as unknown as number) : 0, stdout, stderr });
      },
    );
  });
}

/** crun: "error opening file `/run/crun/ID/status`"; runc: "container does not exist". */
function notFound(stderr: string): boolean {
  return /does not exist|No such file or directory/.test(stderr);
}

function failure(what: string, id: string, r: Result): StrataError {
  const text = r.stderr.trim().replace(/^(crun|runc): /, "");
  if (notFound(r.stderr)) {
    return new StrataError("NOT_FOUND", `no such container in the runtime: ${id}`, {
      details: { runtimeMessage: text },
    });
  }
  return new StrataError("RUNTIME_ERROR", `${what} ${id}: ${text}`, { details: { runtimeMessage: text } });
}

/** Runs the created container's process (it waits in the runtime until now). */
export async function startContainer(id: string, opts: RuntimeOptions = {}): Promise<void> {
  const r = await runRuntime(["start", id], opts);
  if (r.code !== 0) throw failure("cannot start container", id, r);
}

/**
 * Sends a signal to the container's init process. A container that has
 * already stopped is a CONFLICT ("is not running"), one the runtime does not
 * know NOT_FOUND.
 */
export async function killContainer(
  id: string,
  signal: NodeJS.Signals | number = "SIGTERM",
  opts: RuntimeOptions = {},
): Promise<void> {
  const r = await runRuntime(["kill", id, String(signal)], opts);
  if (r.code === 0) return;
  const s = await state(id, opts);
  if (s === null) throw failure("cannot kill container", id, r);
  if (s.status === "stopped") throw new StrataError("CONFLICT", `container ${id} is not running`);
  throw failure("cannot kill container", id, r);
}

/** Removes the runtime's record; `force` kills a running container first. Unknown ids are fine. */
export async function deleteContainer(
  id: string,
  opts: RuntimeOptions & { force?: boolean } = {},
): Promise<void> {
  const r = await runRuntime(opts.force ? ["delete", "--force", id] : ["delete", id], opts);
  if (r.code !== 0 && !notFound(r.stderr)) throw failure("cannot delete container", id, r);
}

/** The runtime's view of the container, or null when it does not know it. */
export async function state(id: string, opts: RuntimeOptions = {}): Promise<RuntimeState | null> {
  const r = await runRuntime(["state", id], opts);
  if (r.code !== 0) {
    if (notFound(r.stderr)) return null;
    throw failure("cannot read the state of container", id, r);
  }
  const s = JSON.parse(r.stdout) as { status: RuntimeStatus; pid?: number; bundle: string };
  return { status: s.status, pid: s.pid ?? 0, bundle: s.bundle };
}

/** Freezes every process of a running container (cgroup freezer); `docker pause`, and commit's consistent read. */
export async function pauseContainer(id: string, opts: RuntimeOptions = {}): Promise<void> {
  const r = await runRuntime(["pause", id], opts);
  if (r.code !== 0) throw failure("cannot pause container", id, r);
}

export async function resumeContainer(id: string, opts: RuntimeOptions = {}): Promise<void> {
  const r = await runRuntime(["resume", id], opts);
  if (r.code !== 0) throw failure("cannot unpause container", id, r);
}

/** The command line that removes a stopped container's runtime record (e.g. as conmon's exit command). */
export function deleteCommand(id: string, runtime: RuntimeName = defaultRuntime()): string[] {
  return [runtimePath(runtime), ...runtimeGlobalArgs(runtime), "delete", "--force", id];
}

/**
 * Removes the runtime's record of a stopped container without waiting for it
 * (the runtime's own process finishes after strata exits): used once the exit
 * is recorded, when nothing depends on the record being gone at once; a later
 * create of the same id still clears it first.
 */
export function deleteContainerInBackground(id: string, opts: RuntimeOptions = {}): void {
  const name = opts.runtime ?? defaultRuntime();
  const child = childProcess().spawn(
    runtimePath(name),
    [...runtimeGlobalArgs(name), "delete", "--force", id],
    {
      detached: true,
      stdio: "ignore",
    },
  );
  child.on("error", () => {});
  child.unref();
}
