/**
 * The container service: containers as typed calls. Runtime work (start,
 * stop, attach, exec, logs) goes through src/runtime; this file keeps the
 * records true and the writable layers in step with them.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Digest, shortHex } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { sweep } from "../gc/index.ts";
import type { ImageService, ImageUsers } from "../image/index.ts";
import type { ContainerRecord } from "../metadata/index.ts";
import { containerLayer, removeContainerLayer } from "../snapshot/index.ts";
import type { Store } from "../store/index.ts";
import { type ContainerConfig, type CreateOptions, createContainer } from "./create.ts";
import { type Change, upperChanges } from "./diff.ts";
import { type ContainerSummary, summarizeContainer } from "./list.ts";
import { findContainer } from "./lookup.ts";
import { normalizeName } from "./names.ts";
import { runForeground } from "./run.ts";

export class ContainerService implements ImageUsers {
  constructor(
    private readonly store: Store,
    private readonly images: ImageService,
  ) {}

  get(nameOrId: string): ContainerRecord {
    return findContainer(this.store, nameOrId);
  }

  create(opts: CreateOptions): Promise<string> {
    return createContainer(this.store, this.images, opts);
  }

  /** Runs a container in the foreground (`run` without -d, `start -a`); resolves to its exit code. */
  async start(nameOrId: string, opts: { interactive?: boolean } = {}): Promise<number> {
    const c = this.get(nameOrId);
    const code = await runForeground(this.store, c, { interactive: opts.interactive ?? false });
    if ((c.config as unknown as ContainerConfig).AutoRemove) await this.remove(c.id);
    return code;
  }

  /** `run`: create, then start in the foreground. A start failure of an --rm container removes it. */
  async run(opts: CreateOptions & { interactive?: boolean }): Promise<{ id: string; exitCode: number }> {
    const id = await this.create(opts);
    try {
      return { id, exitCode: await this.start(id, { interactive: opts.interactive }) };
    } catch (err) {
      if (opts.autoRemove) await this.remove(id, { force: true }).catch(() => {});
      throw err;
    }
  }

  /** Every container (or only running ones), newest first. */
  list(opts: { all?: boolean; size?: boolean } = {}): ContainerSummary[] {
    const images = new Map(this.store.meta.listImages().map((i) => [i.id as string, i.size]));
    return this.store.meta
      .listContainers()
      .filter((c) => opts.all || c.state === "running" || c.state === "paused" || c.state === "restarting")
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((c) => {
        const summary = summarizeContainer(this.store, c, { size: opts.size, imageSizes: images });
        summary.image = this.displayImage(c);
        return summary;
      });
  }

  /** Docker shows the image ID once the name the user typed means another image (daemon/list.go). */
  private displayImage(c: ContainerRecord): string {
    try {
      if (this.images.get(c.imageName).image.id === c.imageId) return c.imageName;
    } catch {
      // The name is gone: fall through to the ID.
    }
    return shortHex(c.imageId);
  }

  /** Removes a stopped container and its writable layer (`rm`); running ones need `force` (runtime). */
  async remove(nameOrId: string, opts: { force?: boolean } = {}): Promise<string> {
    const c = this.get(nameOrId);
    if (c.state === "running" || c.state === "paused" || c.state === "restarting") {
      if (!opts.force) {
        throw new StrataError(
          "CONFLICT",
          `You cannot remove a ${c.state} container ${c.id}. Stop the container before attempting removal or force remove`,
        );
      }
    }
    this.store.meta.updateContainer(c.id, { state: "removing" });
    await removeContainerLayer(this.store.root, c.id);
    this.store.meta.deleteContainer(c.id);
    await sweep(this.store, { extraRoots: this.roots(), tryOnly: true });
    return c.id;
  }

  rename(nameOrId: string, newName: string): void {
    const c = this.get(nameOrId);
    const name = normalizeName(newName);
    if (!name) {
      throw new StrataError(
        "INVALID_ARGUMENT",
        `Invalid container name (${newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
      );
    }
    this.store.meta.transaction(() => {
      const holder = this.store.meta.getContainerByName(name);
      if (holder) {
        throw new StrataError(
          "CONFLICT",
          `Conflict. The container name "/${name}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
      }
      this.store.meta.updateContainer(c.id, { name });
    });
  }

  /** What the container changed relative to its image (`diff`). */
  diff(nameOrId: string): Change[] {
    const c = this.get(nameOrId);
    const lowers = [...c.chain].reverse().map((chainId) => this.store.layers.diffDir(chainId));
    const lowerHas = (path: string) => lowers.some((dir) => existsSync(join(dir, path)));
    return upperChanges(containerLayer(this.store.root, c.id).upper, lowerHas);
  }

  // --- ImageUsers: what images need to know about containers ------------------

  usersOf(imageId: Digest) {
    return this.store.meta
      .containersOfImage(imageId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((c) => ({ id: c.id, running: c.state === "running" || c.state === "paused" }));
  }

  counts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of this.store.meta.listContainers()) out.set(c.imageId, (out.get(c.imageId) ?? 0) + 1);
    return out;
  }

  roots() {
    return this.store.meta
      .listContainers()
      .flatMap((c) => c.chain.map((key) => ({ type: "layer" as const, key })));
  }

  /** The containers section of `system df`. */
  usage(): ContainerSummary[] {
    return this.list({ all: true, size: true });
  }
}
