/**
 * The container service: containers as typed calls. Runtime work (start,
 * stop, attach, exec, logs) goes through src/runtime; this file keeps the
 * records true and the writable layers in step with them.
 */

import { existsSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Digest } from "../digest/index.ts";
import { isStrataError, StrataError } from "../errors.ts";
import type { ImageService } from "../image/index.ts";
import type { ContainerRecord } from "../metadata/index.ts";
import type {
  AttachOptions,
  AttachSession,
  CopyLogsOptions,
  ExecOptions,
  RuntimeName,
  TerminalSize,
} from "../runtime/index.ts";
import { containerLayer, removeContainerLayer } from "../snapshot/index.ts";
import type { Store } from "../store/index.ts";
import { mountsOf, releaseVolumes } from "../volume/index.ts";
import { cliPath } from "./cli-path.ts";
import type { CommitOptions } from "./commit.ts";
import type { PathStat } from "./copy.ts";
import type { CreateOptions } from "./create.ts";
import { type Change, upperChanges } from "./diff.ts";
import { recordContainerEvent } from "./events.ts";
import type { ContainerInspect } from "./inspect.ts";
import { type ContainerSummary, isActive, type ListOptions, listContainers } from "./list.ts";
import { findContainer } from "./lookup.ts";
import { nameInUse, validName } from "./names.ts";
import { parseSignal } from "./signals.ts";
import type { StatsResponse, StatsStreamOptions } from "./stats.ts";
import type { TopResult } from "./top.ts";
import type { LimitChanges } from "./update.ts";
import { bundleDir as runtimeDir } from "./userdata.ts";
import { ContainerImageUsers } from "./users.ts";

/**
 * The runtime (crun, conmon, attach, exec, logs) and the lifecycle built on it
 * load on first use: about a third of the engine's code, which `ps`, `images`
 * or `volume ls` would otherwise load at every start for nothing.
 */
const runtime = () => import("../runtime/index.ts");
const lifecycle = () => import("./lifecycle.ts");

/** The caller's streams for an attached container (stdin only with -i). */
export type AttachStreams = Omit<AttachOptions, "tty">;

/** `exec`'s options; `user` as typed (`-u`), resolved against the container's files. */
export type ContainerExecOptions = Omit<ExecOptions, "user" | "runtime" | "containerDir"> & { user?: string };

/** A signal as Docker's kill events name it: its number. */
const signalNumber = (signal: NodeJS.Signals | number) =>
  String(typeof signal === "number" ? signal : (osConstants.signals[signal] ?? signal));

export class ContainerService {
  /** The image service's view of containers (ImageUsers); the engine wires it in. */
  readonly users: ContainerImageUsers;

  constructor(
    private readonly store: Store,
    private readonly images: ImageService,
  ) {
    this.users = new ContainerImageUsers(store);
  }

  get(nameOrId: string): ContainerRecord {
    return findContainer(this.store, nameOrId);
  }

  async create(opts: CreateOptions): Promise<string> {
    const { createContainer } = await import("./create.ts");
    const id = await createContainer(this.store, this.images, opts);
    recordContainerEvent(this.store, this.get(id), "create");
    return id;
  }

  /**
   * Starts a container (`start`). With `attach`, the session is attached
   * before the container runs; without, conmon's exit command settles the
   * container's end since nobody waits on it.
   */
  async start(
    nameOrId: string,
    opts: {
      attach?: AttachStreams;
      /**
       * Whether conmon's exit command settles the end (default: when nobody is attached).
       * The API's service waits on the runs it starts and settles them itself.
       */
      monitorSettles?: boolean;
    } = {},
  ): Promise<AttachSession | null> {
    const c = this.get(nameOrId);
    // A start by hand resets what a restart policy remembers (moby's ResetRestartManager).
    this.store.meta.restarts.delete(c.id);
    // A policy restarts from conmon's exit command, so that one runs even when someone is attached.
    const policy = c.config.RestartPolicy?.Name ?? "no";
    const settles = opts.monitorSettles ?? !opts.attach;
    const { start } = await lifecycle();
    const session = await start(this.store, c, {
      attach: opts.attach,
      exitCommand: settles || policy !== "no" ? this.exitCommand(c.id) : undefined,
    });
    recordContainerEvent(this.store, c, "start");
    return session;
  }

  /**
   * Starts a container and stays attached until it exits or the user
   * detaches: its exit code, or null when detached (`run`, `start -a`).
   */
  async startAttached(nameOrId: string, streams: AttachStreams): Promise<number | null> {
    const c = this.get(nameOrId);
    const session = await this.start(c.id, { attach: streams });
    // What `wait` needs, loaded while the container runs rather than once it has ended.
    void import("./auto-remove.ts");
    void runtime();
    return this.finishSession(c.id, session);
  }

  /** `attach`: the running container's streams until it exits (its code) or the user detaches (null). */
  async attach(nameOrId: string, streams: AttachStreams): Promise<number | null> {
    const c = await this.refreshed(this.get(nameOrId));
    if (!isActive(c)) {
      throw new StrataError("CONFLICT", "You cannot attach to a stopped container, start it first");
    }
    const tty = c.config.Tty;
    const { attach } = await runtime();
    return this.finishSession(c.id, await attach(runtimeDir(this.store.root, c.id), { ...streams, tty }));
  }

  private async finishSession(id: string, session: AttachSession | null): Promise<number | null> {
    if (!session) return null;
    const { detached } = await session.done;
    if (detached) return null;
    return this.wait(id);
  }

  /** `run`: create, then start attached (or detached with `detach`); a failed start of an --rm container removes it. */
  async run(
    opts: CreateOptions & { detach?: boolean; streams?: AttachStreams },
  ): Promise<{ id: string; exitCode: number | null }> {
    const id = await this.create(opts);
    try {
      if (opts.detach) {
        await this.start(id);
        return { id, exitCode: null };
      }
      return { id, exitCode: await this.startAttached(id, opts.streams ?? {}) };
    } catch (err) {
      if (opts.autoRemove) await this.remove(id, { force: true, volumes: true }).catch(() => {});
      throw err;
    }
  }

  /** `wait`: blocks until the container is not running; its exit code. */
  async wait(nameOrId: string): Promise<number> {
    let c = await this.refreshed(this.get(nameOrId));
    if (isActive(c)) {
      const { waitExitStatus } = await runtime();
      const status = await waitExitStatus(runtimeDir(this.store.root, c.id)).catch(() => null);
      const now = this.store.meta.containers.get(c.id);
      // Removed meanwhile (an --rm container settled by its exit command): the status conmon recorded.
      if (!now) return status?.exitCode ?? c.exitCode;
      c = await this.refreshed(now);
    }
    return c.exitCode;
  }

  /** The terminal size of a container started with a terminal (`resize`). */
  async resize(nameOrId: string, size: TerminalSize): Promise<void> {
    const c = this.get(nameOrId);
    if (!isActive(c)) throw new StrataError("CONFLICT", `Container ${c.id} is not running`);
    (await runtime()).resizeTerminal(runtimeDir(this.store.root, c.id), size);
  }

  /** `stop`: the stop signal, SIGKILL after `timeout` seconds (the container's StopTimeout, else 10). A stopped container is fine. */
  async stop(nameOrId: string, opts: { timeout?: number } = {}): Promise<void> {
    const c = await this.refreshed(this.get(nameOrId));
    // Before the signal: the run's end must not be restarted by its policy (nor a pending restart happen).
    this.store.meta.restarts.set(c.id, { manuallyStopped: true });
    if (!isActive(c)) return;
    await this.thawed(c);
    const { dir, runtime: name } = await this.runtimeOf(c);
    const config = c.config;
    await (await runtime()).stopContainer(c.id, dir, {
      timeout: opts.timeout ?? config.StopTimeout,
      signal: config.StopSignal ? parseSignal(config.StopSignal) : undefined,
      runtime: name,
      onSignal: (signal) => recordContainerEvent(this.store, c, "kill", { signal: signalNumber(signal) }),
    });
    await this.refreshed(c);
    recordContainerEvent(this.store, c, "stop");
  }

  /** `update`: new cgroup limits, applied at once to a running container and kept for its next start. */
  async update(nameOrId: string, changes: LimitChanges): Promise<void> {
    const { updateContainer } = await import("./update.ts");
    await updateContainer(this.store, await this.refreshed(this.get(nameOrId)), changes);
  }

  /** `restart`: stop (as `stop -t`), then start detached; a stopped container is just started. */
  async restart(nameOrId: string, opts: { timeout?: number } = {}): Promise<void> {
    const c = this.get(nameOrId);
    await this.stop(c.id, opts);
    await this.start(c.id);
  }

  /** `pause`: every process of the container frozen by the runtime's freezer (cgroup freezer). */
  async pause(nameOrId: string): Promise<void> {
    const c = await this.refreshed(this.get(nameOrId));
    const [{ withContainer }, { pauseContainer }] = await Promise.all([lifecycle(), runtime()]);
    await withContainer(this.store, c.id, async (now) => {
      if (now.state === "paused") throw new StrataError("CONFLICT", `Container ${now.id} is already paused`);
      if (now.state !== "running") throw new StrataError("CONFLICT", `Container ${now.id} is not running`);
      await pauseContainer(now.id, { runtime: (await this.runtimeOf(now)).runtime });
      this.store.meta.containers.update(now.id, { state: "paused" });
    });
  }

  /** `unpause`: thaws a paused container. */
  async unpause(nameOrId: string): Promise<void> {
    const c = await this.refreshed(this.get(nameOrId));
    const [{ withContainer }, { resumeContainer }] = await Promise.all([lifecycle(), runtime()]);
    await withContainer(this.store, c.id, async (now) => {
      if (now.state !== "paused") throw new StrataError("CONFLICT", `Container ${now.id} is not paused`);
      await resumeContainer(now.id, { runtime: (await this.runtimeOf(now)).runtime });
      this.store.meta.containers.update(now.id, { state: "running" });
    });
  }

  /** A paused container is thawed so the signal it is sent next can act (moby's killWithSignal does so). */
  private async thawed(c: ContainerRecord): Promise<void> {
    if (c.state === "paused") await this.unpause(c.id);
  }

  /** `kill`: sends a signal (SIGKILL by default) to a running container. */
  async kill(nameOrId: string, opts: { signal?: string } = {}): Promise<void> {
    const c = await this.refreshed(this.get(nameOrId));
    if (!isActive(c)) {
      throw new StrataError(
        "CONFLICT",
        `Cannot kill container: ${nameOrId}: Container ${c.id} is not running`,
      );
    }
    await this.thawed(c);
    // moby's killWithSignal: a killed container is one the user stopped (no policy restart).
    this.store.meta.restarts.set(c.id, { manuallyStopped: true });
    const signal = parseSignal(opts.signal ?? "KILL");
    await (await runtime()).killContainer(c.id, signal, { runtime: (await this.runtimeOf(c)).runtime });
    recordContainerEvent(this.store, c, "kill", { signal: signalNumber(signal) });
  }

  /** `top`: the host's `ps` over the container's processes; `psArgs` as one string (default `-ef`). */
  async top(nameOrId: string, psArgs = ""): Promise<TopResult> {
    const { topContainer, validatePsArgs } = await import("./top.ts");
    // Docker checks the options before it looks the container up.
    validatePsArgs(psArgs === "" ? "-ef" : psArgs);
    const c = await this.refreshed(this.get(nameOrId));
    if (!isActive(c)) throw new StrataError("CONFLICT", `Container ${c.id} is not running`);
    return topContainer(c, psArgs);
  }

  /**
   * `stats`: one sample of the container's resource use, carrying the CPU
   * figures of one taken `intervalMs` (1 s) before, as Docker's stream=false
   * does (`oneShot`: a single sample at once, no previous figures). A
   * container that does not run gives Docker's empty sample.
   */
  async stats(
    nameOrId: string,
    opts: { oneShot?: boolean; intervalMs?: number } = {},
  ): Promise<StatsResponse> {
    const m = await import("./stats.ts");
    const c = await this.refreshed(this.get(nameOrId));
    if (!isActive(c)) return m.emptyStats(c);
    const first = m.sampleStats(c);
    if (opts.oneShot) return first;
    await sleep(opts.intervalMs ?? 1000);
    const now = await this.refreshed(this.store.meta.containers.get(c.id) ?? c);
    return m.withPrevious(isActive(now) ? m.sampleStats(now) : m.emptyStats(now), first);
  }

  /** `stats` streaming: a sample every `intervalMs` until `signal` aborts or the container is removed. */
  async *statsStream(nameOrId: string, opts: StatsStreamOptions = {}): AsyncGenerator<StatsResponse> {
    const c = this.get(nameOrId);
    const { streamStats } = await import("./stats.ts");
    const current = async () => {
      const now = this.store.meta.containers.get(c.id);
      return now ? this.refreshed(now) : null;
    };
    yield* streamStats(current, isActive, opts);
  }

  /** `logs`: what the container wrote, as conmon kept it. */
  async logs(
    nameOrId: string,
    opts: Omit<CopyLogsOptions, "signal"> & { signal?: AbortSignal },
  ): Promise<void> {
    const c = this.get(nameOrId);
    await (await runtime()).copyLogs(runtimeDir(this.store.root, c.id), opts);
  }

  /** `exec`: a new process in a running container; its exit code, or null when detached. */
  async exec(nameOrId: string, opts: ContainerExecOptions): Promise<number | null> {
    const c = await this.refreshed(this.get(nameOrId));
    if (!isActive(c)) throw new StrataError("CONFLICT", `Container ${c.id} is not running`);
    const config = c.config;
    const { execInContainer, resolveUser } = await runtime();
    const user = opts.user ? resolveUser(containerLayer(this.store.root, c.id).merged, opts.user) : undefined;
    const result = await execInContainer(c.id, {
      ...opts,
      user,
      cwd: opts.cwd ?? (config.WorkingDir || undefined),
      runtime: (await this.runtimeOf(c)).runtime,
    });
    return result.exitCode;
  }

  /**
   * `commit`: the container's writable layer becomes a new image layer on
   * its image's layers; a running container is frozen meanwhile unless
   * `pause` is false. Resolves to the new image ID.
   */
  async commit(nameOrId: string, opts: Omit<CommitOptions, "freezer"> = {}): Promise<Digest> {
    const c = await this.refreshed(this.get(nameOrId));
    const { commitContainer } = await import("./commit.ts");
    const { pauseContainer, resumeContainer } = await runtime();
    const name = isActive(c) ? (await this.runtimeOf(c)).runtime : undefined;
    return commitContainer(this.store, this.images, c, {
      ...opts,
      freezer: {
        pause: (id) => pauseContainer(id, { runtime: name }),
        resume: (id) => resumeContainer(id, { runtime: name }),
      },
    });
  }

  /** Where a started container's runtime files are, and which runtime (crun or runc) created it. */
  private async runtimeOf(c: ContainerRecord): Promise<{ dir: string; runtime: RuntimeName }> {
    const dir = runtimeDir(this.store.root, c.id);
    return { dir, runtime: (await runtime()).readRecord(dir).runtime };
  }

  /**
   * Settles what conmon recorded (its exit command calls this when a run
   * ends), then restarts the container when its restart policy says so.
   */
  async cleanup(nameOrId: string): Promise<void> {
    // The store may be gone (a test's root removed after `rm -f`): opening it would make it again.
    if (!this.store.exists) return;
    const c = await this.refreshed(this.get(nameOrId));
    if ((c.config.RestartPolicy?.Name ?? "no") === "no") return;
    const { restartIfDue } = await import("./restart-policy.ts");
    const now = this.store.meta.containers.get(c.id);
    if (!now) return;
    const { start } = await lifecycle();
    const restarted = await restartIfDue(this.store, now, (beforeStart) =>
      start(this.store, now, { exitCommand: this.exitCommand(now.id), beforeStart }),
    );
    if (restarted) recordContainerEvent(this.store, now, "start");
  }

  /** The record made true; an --rm container that ended is removed. */
  private async refreshed(c: ContainerRecord): Promise<ContainerRecord> {
    const { refreshAndAutoRemove } = await import("./auto-remove.ts");
    return refreshAndAutoRemove(this.store, c, (id) => this.remove(id, { volumes: true }));
  }

  /** `refreshed`, or undefined when another command (`rm -f`) removed the container meanwhile. */
  private async refreshedUnlessRemoved(c: ContainerRecord): Promise<ContainerRecord | undefined> {
    try {
      return await this.refreshed(c);
    } catch (err) {
      if (isStrataError(err, "NOT_FOUND")) return undefined;
      throw err;
    }
  }

  /** conmon runs this when a container nobody waits on exits; null when strata's CLI cannot be found. */
  private exitCommand(id: string): string[] | undefined {
    const cli = cliPath();
    return cli ? [process.execPath, cli, "--root", this.store.root, "container", "cleanup", id] : undefined;
  }

  /**
   * Every container (or only running ones), newest first; ended runs are
   * settled first. `filters` are `ps --filter` arguments (`status=exited` …).
   */
  async list(opts: ListOptions = {}): Promise<ContainerSummary[]> {
    const records: ContainerRecord[] = [];
    for (const c of this.store.meta.containers.list()) {
      const now = isActive(c) ? await this.refreshedUnlessRemoved(c) : c;
      // An --rm container that ended is gone now, and so is one another command removed meanwhile.
      if (now && (!isActive(c) || this.store.meta.containers.get(now.id))) records.push(now);
    }
    return listContainers(this.store, this.images, records, opts);
  }

  /**
   * Removes a stopped container and its writable layer (`rm`); a running one
   * needs `force` (killed first); `volumes` removes its anonymous volumes too.
   */
  async remove(nameOrId: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<string> {
    const { refresh, removeLockFile, withContainer } = await lifecycle();
    let c = await refresh(this.store, this.get(nameOrId));
    if (isActive(c)) {
      if (!opts.force) {
        throw new StrataError(
          "CONFLICT",
          `You cannot remove a ${c.state} container ${c.id}. Stop the container before attempting removal or force remove`,
        );
      }
      const stopped = await this.killForRemoval(c);
      // A `container prune` removed it once the kill stopped it: removed either way.
      if (!stopped) return c.id;
      c = stopped;
    }
    await withContainer(this.store, c.id, async (now) => {
      if (isActive(now))
        throw new StrataError("CONFLICT", `container ${now.id} started again while being removed`);
      this.store.meta.containers.update(now.id, { state: "removing" });
      // A start that died half-way (a killed CLI) may have left a namespace or addresses.
      if (this.store.meta.networks.endpointsOfContainer(now.id).length > 0) {
        await (await import("../network/index.ts")).teardownContainer(this.store, now);
      }
      await removeContainerLayer(this.store.root, now.id);
      this.store.meta.transaction(() => {
        this.store.meta.networks.deleteContainer(now.id);
        this.store.meta.restarts.delete(now.id);
        this.store.meta.containers.delete(now.id);
      });
      removeLockFile(this.store, now.id);
      recordContainerEvent(this.store, now, "destroy");
    }).catch((err) => {
      // A `container prune` removed it once it stopped (the kill above): removed either way.
      if (!isStrataError(err, "NOT_FOUND")) throw err;
    });
    if (opts.volumes) releaseVolumes(this.store, mountsOf(c.config));
    // Only a container whose image is gone already leaves layers to collect.
    if (!this.store.meta.images.get(c.imageId)) {
      const { sweepAfterRemoval } = await import("./gc-trigger.ts");
      await sweepAfterRemoval(this.store, c.imageId);
    }
    return c.id;
  }

  /** Kills `c` for `rm -f` and waits for its end; undefined when another command removed it meanwhile. */
  private async killForRemoval(c: ContainerRecord): Promise<ContainerRecord | undefined> {
    try {
      await this.kill(c.id).catch((err) => {
        if (!isStrataError(err, "CONFLICT")) throw err;
      });
      await (await runtime()).waitExitStatus(runtimeDir(this.store.root, c.id)).catch(() => {});
      return await (await lifecycle()).refresh(this.store, c);
    } catch (err) {
      if (isStrataError(err, "NOT_FOUND")) return undefined;
      throw err;
    }
  }

  /**
   * `container prune`: removes every stopped container (for which `where`,
   * given its labels and creation time, holds); their IDs and the bytes freed.
   */
  async prune(
    opts: { where?: (labels: () => Record<string, string>, createdMs: number) => boolean } = {},
  ): Promise<{ deleted: string[]; reclaimed: number }> {
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const c of await this.list({ all: true, size: true })) {
      if (isActive(c)) continue;
      if (opts.where && !opts.where(() => c.labels, Date.parse(c.created))) continue;
      try {
        await this.remove(c.id);
      } catch (err) {
        if (isStrataError(err, "NOT_FOUND") || isStrataError(err, "CONFLICT")) continue;
        throw err;
      }
      deleted.push(c.id);
      reclaimed += c.sizeRw;
    }
    return { deleted, reclaimed };
  }

  /** Docker's `inspect` JSON for a container; `size` adds SizeRw and SizeRootFs. */
  async inspect(nameOrId: string, opts: { size?: boolean } = {}): Promise<ContainerInspect> {
    const c = await this.refreshed(this.get(nameOrId));
    const { inspectContainer } = await import("./inspect.ts");
    return inspectContainer(this.store, c, opts);
  }

  rename(nameOrId: string, newName: string): void {
    const c = this.get(nameOrId);
    const name = validName(newName);
    this.store.meta.transaction(() => {
      const holder = this.store.meta.containers.getByName(name);
      if (holder) throw nameInUse(name, holder.id);
      this.store.meta.containers.update(c.id, { name });
    });
    recordContainerEvent(this.store, { ...c, name }, "rename", { oldName: `/${c.name}` });
  }

  // --- Files: cp and the archive calls (copy.ts) ------------------------------

  /** What is at `path` in the container (HEAD /containers/{id}/archive's X-Docker-Container-Path-Stat). */
  async statPath(nameOrId: string, path: string): Promise<PathStat> {
    const c = await this.refreshed(this.get(nameOrId));
    const { statPath } = await import("./copy.ts");
    return statPath(this.store, c, nameOrId, path);
  }

  /** A tar stream of `path` and its stat (`cp CONTAINER:PATH -`, GET /containers/{id}/archive). */
  async archive(
    nameOrId: string,
    path: string,
    opts: { followLink?: boolean } = {},
  ): Promise<{ stat: PathStat; stream: Readable }> {
    const c = await this.refreshed(this.get(nameOrId));
    const { archivePath } = await import("./copy.ts");
    return archivePath(this.store, c, nameOrId, path, opts);
  }

  /** Unpacks a tar stream into an existing directory (`cp - CONTAINER:DIR`, PUT /containers/{id}/archive). */
  async putArchive(
    nameOrId: string,
    dir: string,
    input: Readable,
    opts: { keepOwners?: boolean } = {},
  ): Promise<void> {
    const c = await this.refreshed(this.get(nameOrId));
    const { putArchive } = await import("./copy.ts");
    return putArchive(this.store, c, nameOrId, dir, input, opts);
  }

  /** `cp CONTAINER:SRC DEST` with Docker's destination rules. */
  async copyFrom(
    nameOrId: string,
    src: string,
    dest: string,
    opts: { followLink?: boolean } = {},
  ): Promise<void> {
    const c = await this.refreshed(this.get(nameOrId));
    const { copyFromContainer } = await import("./copy.ts");
    return copyFromContainer(this.store, c, nameOrId, src, dest, opts);
  }

  /** `cp SRC CONTAINER:DEST`: written as root unless `keepOwners` (`-a`). */
  async copyTo(
    nameOrId: string,
    src: string,
    dest: string,
    opts: { followLink?: boolean; keepOwners?: boolean } = {},
  ): Promise<void> {
    const c = await this.refreshed(this.get(nameOrId));
    const { copyToContainer } = await import("./copy.ts");
    return copyToContainer(this.store, c, nameOrId, src, dest, opts);
  }

  /**
   * Runs `fn` holding the container's lock, with its settled record and
   * whether it runs (network connect and disconnect).
   */
  async locked<T>(nameOrId: string, fn: (c: ContainerRecord, running: boolean) => Promise<T>): Promise<T> {
    const c = await this.refreshed(this.get(nameOrId));
    const { withContainer } = await lifecycle();
    return withContainer(this.store, c.id, (now) => fn(now, isActive(now)));
  }

  resolvConfPath(id: string): string {
    return join(runtimeDir(this.store.root, id), "resolv.conf");
  }

  /** `export`: the container's file system (image layers plus its writable layer) as a tar stream. */
  async export(nameOrId: string): Promise<Readable> {
    const c = await this.refreshed(this.get(nameOrId));
    const { exportContainer } = await import("./copy.ts");
    return exportContainer(this.store, c);
  }

  /** What the container changed relative to its image (`diff`). */
  diff(nameOrId: string): Change[] {
    const c = this.get(nameOrId);
    const lowers = [...c.chain].reverse().map((chainId) => this.store.layers.diffDir(chainId));
    const lowerHas = (path: string) => lowers.some((dir) => existsSync(join(dir, path)));
    return upperChanges(containerLayer(this.store.root, c.id).upper, lowerHas);
  }

  /** The containers section of `system df`. */
  usage(): Promise<ContainerSummary[]> {
    return this.list({ all: true, size: true });
  }
}
