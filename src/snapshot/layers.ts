/**
 * Committed layers on disk, in overlay form: `layers/<chain-id-hex>/diff` is a
 * lowerdir, `layers/<hex>/tar-split.gz` re-emits the original tar, and
 * `l/<LINK>` is a short symlink to the diff dir so that an image with 128
 * layers still fits the kernel's one-page limit on mount options (as Docker's
 * overlay2 does). Layers are unpacked into `tmp/` on the same file system and
 * committed with one rename, so a half-written layer is never visible.
 */
import { existsSync, promises as fsPromises, mkdirSync, readdirSync, renameSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { type Digest, hexOf, isDigest } from "../digest/index.ts";
import { randomBytes } from "../sys/builtins.ts";

export interface StagedLayer {
  /** The staging root; removed on discard. */
  readonly path: string;
  /** The empty directory to unpack into. */
  readonly diffDir: string;
  readonly tarSplitPath: string;
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A 26-character upper-case base32 ID, like Docker's overlay2 link names. */
export function newLinkId(): string {
  const bytes = randomBytes(26);
  let out = "";
  for (const b of bytes) out += BASE32[b & 31];
  return out;
}

export class LayerStore {
  readonly layersDir: string;
  readonly linksDir: string;
  readonly tmpDir: string;

  constructor(readonly root: string) {
    this.layersDir = join(root, "layers");
    this.linksDir = join(root, "l");
    this.tmpDir = join(root, "tmp");
  }

  dir(chainId: Digest): string {
    return join(this.layersDir, hexOf(chainId));
  }

  diffDir(chainId: Digest): string {
    return join(this.dir(chainId), "diff");
  }

  tarSplitPath(chainId: Digest): string {
    return join(this.dir(chainId), "tar-split.gz");
  }

  linkPath(link: string): string {
    return join(this.linksDir, link);
  }

  stage(): StagedLayer {
    mkdirSync(this.tmpDir, { recursive: true });
    const path = join(this.tmpDir, `layer-${process.pid}-${randomBytes(8).toString("hex")}`);
    const diffDir = join(path, "diff");
    mkdirSync(diffDir, { recursive: true, mode: 0o755 });
    return { path, diffDir, tarSplitPath: join(path, "tar-split.gz") };
  }

  async discard(staged: StagedLayer): Promise<void> {
    await fsPromises.rm(staged.path, { recursive: true, force: true });
  }

  /**
   * Moves a staged layer into place under its chain ID and creates its link.
   * The caller holds the chain's lock and has checked the database has no
   * record of it, so a directory already there is a leftover of a crash.
   */
  async commit(staged: StagedLayer, chainId: Digest, link: string): Promise<void> {
    const target = this.dir(chainId);
    if (existsSync(target)) await fsPromises.rm(target, { recursive: true, force: true });
    mkdirSync(this.layersDir, { recursive: true });
    renameSync(staged.path, target);
    mkdirSync(this.linksDir, { recursive: true });
    const linkPath = this.linkPath(link);
    await fsPromises.rm(linkPath, { force: true });
    symlinkSync(`../layers/${hexOf(chainId)}/diff`, linkPath);
  }

  async remove(chainId: Digest, link: string | null): Promise<void> {
    if (link) await fsPromises.rm(this.linkPath(link), { force: true });
    // Rename first so a crash mid-delete leaves an obviously dead directory.
    const dir = this.dir(chainId);
    if (!existsSync(dir)) return;
    const doomed = join(this.tmpDir, `removing-${hexOf(chainId)}-${randomBytes(4).toString("hex")}`);
    mkdirSync(this.tmpDir, { recursive: true });
    renameSync(dir, doomed);
    await fsPromises.rm(doomed, { recursive: true, force: true });
  }

  /** Chain IDs that have a directory on disk. */
  listOnDisk(): Digest[] {
    if (!existsSync(this.layersDir)) return [];
    return readdirSync(this.layersDir)
      .map((hex) => `sha256:${hex}`)
      .filter(isDigest);
  }

  /** Link names on disk. */
  listLinks(): string[] {
    return existsSync(this.linksDir) ? readdirSync(this.linksDir) : [];
  }

  listTmp(): string[] {
    return existsSync(this.tmpDir) ? readdirSync(this.tmpDir).map((n) => join(this.tmpDir, n)) : [];
  }
}
