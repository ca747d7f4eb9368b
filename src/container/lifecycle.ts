/**
 * A container's life under conmon: start (mount, bundle, create under the
 * monitor, optional attach, start), and `refresh`, which turns what conmon
 * recorded (the exit file) into the container's record, unmounts its layers
 * and frees the runtime's state. Every state change of one container happens
 * under its lock file, so the foreground CLI, conmon's exit command and a
 * concurrent `ps` or `stop` settle an exit exactly once, and a late clean-up
 * can never unmount a restarted container.
 */

import { existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors.ts";
import { rfc3339Nano } from "../format/time.ts";
import type { ContainerRecord } from "../metadata/index.ts";
import { FileLock } from "../metadata/index.ts";
import { connectedNetworks, recordNetworkEvent } from "../network/events.ts";
import type { Attachment } from "../network/index.ts";
import {
  type AttachOptions,
  type AttachSession,
  attach,
  createContainer as createUnderMonitor,
  deleteCommand,
  deleteContainer,
  deleteContainerInBackground,
  monitorAlive,
  readExit,
  readRecord,
  startContainer as startInRuntime,
} from "../runtime/index.ts";
import { containerLayer, containerMount, mount, unmount } from "../snapshot/index.ts";
import type { Store } from "../store/index.ts";
import { recordMounts } from "../volume/events.ts";
import { bundleDir, writeBundle } from "./bundle.ts";
import { recordContainerEvent } from "./events.ts";
import { isActive } from "./list.ts";
import { noSuchContainer } from "./lookup.ts";

/** Where conmon keeps the container's log, pid files and exit code (also its bundle). */
export const runtimeDir = bundleDir;

/** Runs `fn` holding the container's lock, with its record as it is now. */
export async function withContainer<T>(
  store: Store,
  id: string,
  fn: (c: ContainerRecord) => Promise<T>,
): Promise<T> {
  const lock = new FileLock(join(store.root, "containers", `${id}.lock`));
  await lock.acquire("exclusive");
  try {
    const c = store.meta.containers.get(id);
    if (!c) throw noSuchContainer(id);
    return await fn(c);
  } finally {
    lock.release();
  }
}

export function removeLockFile(store: Store, id: string): void {
  rmSync(join(store.root, "containers", `${id}.lock`), { force: true });
}

/**
 * How a running record's run ended, or null while it still runs. A monitor
 * that died without writing an exit code (killed, or the machine rebooted)
 * counts as exit 255, as Docker reports containers it lost.
 */
function endOf(store: Store, c: ContainerRecord): { exitCode: number; finishedAt: string } | null {
  const dir = runtimeDir(store.root, c.id);
  const exit = readExit(dir);
  if (exit) {
    const at = statSync(join(dir, "exit")).mtime;
    return { exitCode: exit.exitCode, finishedAt: rfc3339Nano({ at }) };
  }
  if (monitorAlive(dir)) return null;
  // conmon writes the exit file just before it ends: look once more.
  const late = readExit(dir);
  if (late) return { exitCode: late.exitCode, finishedAt: rfc3339Nano() };
  return { exitCode: 255, finishedAt: rfc3339Nano() };
}

/** Bridge networking is loaded only for containers that have it. */
const hasNetwork = (c: ContainerRecord) => {
  const mode = c.config.NetworkMode;
  return mode !== "none" && mode !== "host";
};
const network = () => import("../network/index.ts");

/** Settles an ended run: record, network, unmount, runtime state. The caller holds the lock. */
async function settle(store: Store, c: ContainerRecord): Promise<ContainerRecord> {
  if (!isActive(c)) return c;
  const end = endOf(store, c);
  if (!end) return c;
  store.meta.containers.update(c.id, { state: "exited", pid: 0, ...end });
  const left = hasNetwork(c) ? connectedNetworks(store, c.id) : [];
  const net = hasNetwork(c) ? (await network()).teardownContainer(store, c) : undefined;
  recordContainerEvent(store, c, "die", { exitCode: String(end.exitCode) });
  unmount(containerLayer(store.root, c.id).merged);
  try {
    const record = readRecord(runtimeDir(store.root, c.id));
    // conmon already runs the runtime's delete when that is its exit command.
    const byConmon = record.exitCommand?.join(" ") === deleteCommand(c.id, record.runtime).join(" ");
    if (!byConmon) deleteContainerInBackground(c.id, { runtime: record.runtime });
  } catch {
    // No record or no runtime: nothing of the runtime's to free.
  }
  await net;
  // After the die, as Docker's cleanup logs them: the networks left, then the volumes unmounted.
  for (const n of left) recordNetworkEvent(store, n, "disconnect", c.id);
  recordMounts(store, c, "unmount");
  return { ...c, state: "exited", pid: 0, ...end };
}

/**
 * The container's record made true: a run that ended is recorded as exited.
 * Cheap for containers not marked running (no lock, no process).
 */
export async function refresh(store: Store, c: ContainerRecord): Promise<ContainerRecord> {
  if (!isActive(c)) return c;
  if (endOf(store, c) === null) return c;
  return withContainer(store, c.id, (now) => settle(store, now));
}

export interface StartOptions {
  /** Attach to the container's streams before it runs, so no output is lost (`run`, `start -a`). */
  attach?: Omit<AttachOptions, "tty">;
  /**
   * Run by conmon when the container exits: strata's `container cleanup` for
   * starts nobody waits on; otherwise the runtime's own delete, so the
   * waiting CLI need not start that process itself.
   */
  exitCommand?: string[];
  /** Called under the lock with the settled record; false leaves the container as it is (a policy restart's last check). */
  beforeStart?: (now: ContainerRecord) => boolean;
}

export function imageLinks(store: Store, c: ContainerRecord): string[] {
  return c.chain.map((chainId) => {
    const l = store.meta.layers.get(chainId);
    if (!l || !existsSync(store.layers.diffDir(chainId))) {
      throw new StrataError(
        "STORE_CORRUPT",
        `layer ${chainId} of container ${c.name} is missing from the store (run 'strata system check')`,
      );
    }
    return l.link;
  });
}

/** Mounts, creates under conmon, attaches if asked, starts. The caller holds the lock. */
async function startLocked(
  store: Store,
  c: ContainerRecord,
  opts: StartOptions,
): Promise<AttachSession | null> {
  const config = c.config;
  const layer = containerLayer(store.root, c.id);
  const throwaway = config.AutoRemove;
  mount(containerMount(store.root, c.id, imageLinks(store, c), { volatile: throwaway }), layer.merged);
  const dir = runtimeDir(store.root, c.id);
  let session: AttachSession | null = null;
  let net: Attachment | null = null;
  try {
    net = hasNetwork(c) ? await (await network()).setupContainer(store, c) : null;
    writeBundle(store.root, c, net);
    const creating = createUnderMonitor({
      id: c.id,
      name: c.name,
      bundleDir: dir,
      containerDir: dir,
      tty: config.Tty,
      stdin: config.OpenStdin,
      stdinOnce: config.StdinOnce,
      exitCommand: opts.exitCommand ?? deleteCommand(c.id),
      // The log of an --rm container goes with it: conmon need not fsync it before recording the exit.
      syncLog: !throwaway,
    });
    // netavark plumbs the namespace while conmon and the runtime create the container.
    const [made, plumbed] = await Promise.allSettled([creating, net?.plumbing]);
    try {
      // The published ports' holder follows the monitor, whose PID the create gave.
      if (made.status === "fulfilled") net?.hold(made.value.conmonPid);
    } finally {
      net?.release();
    }
    if (made.status === "rejected") throw made.reason;
    if (plumbed.status === "rejected") throw plumbed.reason;
    const created = made.value;
    if (opts.attach) session = await attach(dir, { ...opts.attach, tty: config.Tty });
    await startInRuntime(c.id, { runtime: created.runtime });
    store.meta.containers.update(c.id, {
      state: "running",
      pid: created.pid,
      exitCode: 0,
      startedAt: rfc3339Nano(),
      finishedAt: null,
    });
    // Before the start event (the caller's), as Docker logs them: networks joined, volumes mounted.
    if (net) for (const n of connectedNetworks(store, c.id)) recordNetworkEvent(store, n, "connect", c.id);
    recordMounts(store, c, "mount");
    return session;
  } catch (err) {
    session?.detach();
    await deleteContainer(c.id, { force: true }).catch(() => {});
    if (net || hasNetwork(c)) await (await network()).teardownContainer(store, c).catch(() => {});
    unmount(layer.merged);
    const code = (err as StrataError).details?.exitCode;
    if (typeof code === "number") store.meta.containers.update(c.id, { exitCode: code });
    throw err;
  }
}

/**
 * Starts a container; with `attach`, returns the attached session. A running
 * container is left as it is (Docker's `start` of a running container does
 * nothing), and attached to when asked.
 */
export function start(
  store: Store,
  c: ContainerRecord,
  opts: StartOptions = {},
): Promise<AttachSession | null> {
  return withContainer(store, c.id, async (now) => {
    const current = await settle(store, now);
    if (isActive(current)) {
      if (!opts.attach) return null;
      const config = current.config;
      return attach(runtimeDir(store.root, c.id), { ...opts.attach, tty: config.Tty });
    }
    if (opts.beforeStart && !opts.beforeStart(current)) return null;
    return startLocked(store, current, opts);
  });
}
