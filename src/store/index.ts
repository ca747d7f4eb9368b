/**
 * One store root and the pieces that live under it. Each piece opens lazily,
 * so a command pays only for what it touches.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ContentStore } from "../content/index.ts";
import { type Digest, hexOf } from "../digest/index.ts";
import { MetadataStore } from "../metadata/index.ts";
import { LayerStore } from "../snapshot/index.ts";

export class Store {
  private metaStore?: MetadataStore;
  readonly content: ContentStore;
  readonly layers: LayerStore;

  constructor(readonly root: string) {
    this.content = new ContentStore(root);
    this.layers = new LayerStore(root);
  }

  /** Whether a store was ever made here (opening `meta` makes one). */
  get exists(): boolean {
    return this.metaStore !== undefined || existsSync(join(this.root, "db.sqlite"));
  }

  get meta(): MetadataStore {
    if (!this.metaStore) {
      mkdirSync(this.root, { recursive: true, mode: 0o700 });
      this.metaStore = MetadataStore.open(join(this.root, "db.sqlite"));
    }
    return this.metaStore;
  }

  /**
   * Held shared by every command that adds to the store (pull, create) for its
   * whole run, and exclusively by garbage collection: GC never sweeps what an
   * unfinished command has staged or is about to reference.
   */
  get gcLockPath(): string {
    return join(this.root, "locks", "gc.lock");
  }

  get layerLockDir(): string {
    return join(this.root, "locks", "layers");
  }

  /** Serialises unpacking of one layer across processes. */
  layerLockPath(chainId: Digest): string {
    return join(this.layerLockDir, `${hexOf(chainId)}.lock`);
  }

  close(): void {
    this.metaStore?.close();
    this.metaStore = undefined;
  }
}
