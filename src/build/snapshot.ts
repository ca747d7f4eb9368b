/**
 * A build step's file system: an overlay of the stage's layers (through the
 * store's short `l/` links) with an upper directory of its own, under
 * tmp/build-<pid>-<rand>/ so that a crash leaves nothing outside tmp. The
 * upper becomes the step's layer. A build killed with its mounts in place is
 * cleaned up by the next build (its pid is gone): unmounted, then removed.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import type { Digest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { type Mount, mount, unmount } from "../snapshot/index.ts";
import type { Store } from "../store/index.ts";
import { randomBytes } from "../sys/builtins.ts";
import { processAlive } from "../sys/process.ts";

const INIT_DIRS = ["proc", "sys", "dev", "dev/pts", "dev/shm", "etc"];
const INIT_FILES = ["etc/hosts", "etc/hostname", "etc/resolv.conf", "dev/console"];

let volatileWorks = true;

/**
 * Mounts a step's overlay `volatile` (Linux ≥ 5.10) when the kernel has it: its
 * unmount then skips syncing the upper file system, which cost ~100 ms after a
 * COPY of 2,000 files, and fsync in a RUN (dpkg's) is free. Nothing is lost: a
 * step interrupted by a crash is never reused (its directory is removed by the
 * next build), and a finished layer is as durable as a pulled one, which
 * strata does not fsync either.
 */
function mountVolatile(m: Mount, target: string): void {
  if (volatileWorks) {
    try {
      mount({ ...m, options: [...m.options, "volatile"] }, target);
      return;
    } catch {
      volatileWorks = false;
    }
  }
  mount(m, target);
}

export class StepSnapshot {
  readonly upper: string;
  readonly work: string;
  readonly merged: string;
  readonly init: string;
  readonly empty: string;
  private mounted = false;

  private constructor(
    readonly store: Store,
    readonly dir: string,
  ) {
    this.upper = join(dir, "upper");
    this.work = join(dir, "work");
    this.merged = join(dir, "merged");
    this.init = join(dir, "init");
    this.empty = join(dir, "empty");
  }

  private readonly children: StepSnapshot[] = [];

  static create(store: Store): StepSnapshot {
    return StepSnapshot.createIn(
      store,
      join(store.layers.tmpDir, `build-${process.pid}-${randomBytes(6).toString("hex")}`),
    );
  }

  /** A snapshot in `dir` (a read-only view inside a step's directory). */
  static createIn(store: Store, dir: string): StepSnapshot {
    const s = new StepSnapshot(store, dir);
    for (const d of [s.upper, s.work, s.merged, s.empty]) mkdirSync(d, { recursive: true, mode: 0o755 });
    return s;
  }

  private links(chain: Digest[]): string[] {
    return chain.map((c) => {
      const layer = this.store.meta.layers.get(c);
      if (!layer) throw new StrataError("STORE_CORRUPT", `layer ${c} is missing from the store`);
      return `l/${layer.link}`;
    });
  }

  /** Mounts the chain (bottom first) with this step's upper; `withInit` adds RUN's mount points. */
  mountRw(chain: Digest[], withInit: boolean): string {
    const rel = (p: string) => relative(this.store.root, p);
    const lowers = [...this.links(chain)].reverse();
    if (withInit) {
      for (const d of INIT_DIRS) mkdirSync(join(this.init, d), { recursive: true, mode: 0o755 });
      for (const f of INIT_FILES) closeSync(openSync(join(this.init, f), "a", 0o644));
      lowers.unshift(rel(this.init));
    }
    if (lowers.length === 0) lowers.push(rel(this.empty));
    const options = [
      `lowerdir=${lowers.join(":")}`,
      `upperdir=${rel(this.upper)}`,
      `workdir=${rel(this.work)}`,
    ];
    if (existsSync("/sys/module/overlay/parameters/index")) options.unshift("index=off");
    mountVolatile({ type: "overlay", source: "overlay", options, cwd: this.store.root }, this.merged);
    this.mounted = true;
    return this.merged;
  }

  /** A read-only view of a chain (COPY --from). */
  mountRo(chain: Digest[]): string {
    if (chain.length === 0) return this.empty;
    const rel = (p: string) => relative(this.store.root, p);
    const lowers = [...this.links(chain)].reverse();
    // overlayfs needs two lower directories when there is no upper.
    lowers.push(rel(this.empty));
    mount(
      { type: "overlay", source: "overlay", options: [`lowerdir=${lowers.join(":")}`], cwd: this.store.root },
      this.merged,
    );
    this.mounted = true;
    return this.merged;
  }

  /** `child` is unmounted with this one. */
  adopt(child: StepSnapshot): void {
    this.children.push(child);
  }

  unmount(): void {
    for (const c of this.children) c.unmount();
    if (this.mounted) unmount(this.merged);
    this.mounted = false;
  }

  upperEmpty(): boolean {
    return readdirSync(this.upper).length === 0;
  }

  remove(): void {
    this.unmount();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Unmounts and removes what builds whose process is gone left in tmp/. */
export function cleanStaleBuilds(store: Store): void {
  const tmp = store.layers.tmpDir;
  if (!existsSync(tmp)) return;
  for (const name of readdirSync(tmp)) {
    const m = /^build-(\d+)-/.exec(name);
    // A RUN sandbox's marker is network.ts's to undo (its namespace and address first).
    if (!m || processAlive(Number(m[1])) || name.startsWith(`build-${m[1]}-net-`)) continue;
    const dir = join(tmp, name);
    unmount(join(dir, "merged"));
    for (const sub of existsSync(dir) ? readdirSync(dir) : []) {
      if (sub.startsWith("from-")) unmount(join(dir, sub, "merged"));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
