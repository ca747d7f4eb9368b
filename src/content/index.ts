/**
 * The blob store: manifests, indexes and configs, each named by the sha256 of
 * its exact bytes (re-serialising JSON would change an image's ID). A blob is
 * written beside its target and renamed into place, so readers never see a
 * partial one. Compressed layers are not kept: layers re-emit from their
 * unpacked form (see archive's tar-split).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Digest, hexOf, isDigest, sha256Digest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { crypto } from "../sys/builtins.ts";

export interface ContentReader {
  has(digest: Digest): boolean;
  read(digest: Digest): Buffer;
}

export interface ContentWriter {
  /** Stores `bytes`; when `expected` is given the bytes must hash to it. Returns the digest. */
  write(bytes: Buffer, expected?: Digest): Digest;
}

export class ContentStore implements ContentReader, ContentWriter {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, "blobs", "sha256");
  }

  path(digest: Digest): string {
    return join(this.dir, hexOf(digest));
  }

  has(digest: Digest): boolean {
    return existsSync(this.path(digest));
  }

  read(digest: Digest): Buffer {
    try {
      return readFileSync(this.path(digest));
    } catch (cause) {
      throw new StrataError("NOT_FOUND", `blob ${digest} is not in the content store`, { cause });
    }
  }

  /** Reads and re-hashes a blob: for `system check`. */
  verify(digest: Digest): boolean {
    return sha256Digest(this.read(digest)) === digest;
  }

  write(bytes: Buffer, expected?: Digest): Digest {
    const digest = sha256Digest(bytes);
    if (expected && digest !== expected) {
      throw new StrataError("DIGEST_MISMATCH", `digest mismatch: expected ${expected}, got ${digest}`, {
        details: { expected, actual: digest },
      });
    }
    const target = this.path(digest);
    if (existsSync(target)) return digest;
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${target}.${crypto().randomBytes(6).toString("hex")}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, target);
    return digest;
  }

  delete(digest: Digest): void {
    rmSync(this.path(digest), { force: true });
  }

  /**
   * Every stored digest. Partial writes (`*.tmp`) are skipped, never removed:
   * another process may be writing one right now (see `removePartial`).
   */
  list(): Digest[] {
    if (!existsSync(this.dir)) return [];
    const out: Digest[] = [];
    for (const name of readdirSync(this.dir)) {
      const d = `sha256:${name}`;
      if (isDigest(d)) out.push(d);
    }
    return out;
  }

  /**
   * Removes what interrupted writes left behind. Only for garbage collection
   * under the exclusive GC lock: every writer holds the lock shared, so no
   * write is in flight then.
   */
  removePartial(): void {
    if (!existsSync(this.dir)) return;
    for (const name of readdirSync(this.dir)) {
      if (name.endsWith(".tmp")) rmSync(join(this.dir, name), { force: true });
    }
  }
}
