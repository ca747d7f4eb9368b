/**
 * One tar entry written into the layer directory: the path checks
 * (layer-tree.ts), whiteouts (whiteouts.ts), then the entry by its type,
 * its payload streamed to disk and referenced from the tar-split
 * (payloads.ts), its metadata last (entry-meta.ts), its size counted
 * (sizes.ts). Existing paths are unlinked before they are replaced, so
 * nothing is ever written through a link; a hardlink must name a
 * non-directory inside this layer.
 */
import { closeSync, constants, linkSync, mkdirSync, openSync, rmSync, symlinkSync, writeSync } from "node:fs";
import { StrataError } from "../errors.ts";
import { native } from "../sys/index.ts";
import { EntryMeta } from "./entry-meta.ts";
import { FileQueue } from "./file-queue.ts";
import { cleanName, cleanPath, LayerTree, unsafe } from "./layer-tree.ts";
import { Payloads } from "./payloads.ts";
import { Sizes } from "./sizes.ts";
import type { Header } from "./tar-header.ts";
import { type ByteSource, padding } from "./tar-reader.ts";
import type { TarSplitWriter } from "./tar-split.ts";
import { OPAQUE, WHITEOUT, Whiteouts } from "./whiteouts.ts";

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;
const DEVICE_KIND: Record<string, number> = { "3": S_IFCHR, "4": S_IFBLK, "6": S_IFIFO };
/** The process umask, read once: it decides whether open(2)'s mode was exact. */
const UMASK = (() => {
  const m = process.umask(0);
  process.umask(m);
  return m;
})();

/** The entry being written: its header, PAX records, and where it goes. */
interface Entry {
  h: Header;
  pax: ReadonlyMap<string, Buffer>;
  rel: string;
  /** The entry takes the place of this layer's whiteout of the same path. */
  overWhiteout: boolean;
}

export class LayerWriter {
  readonly tree: LayerTree;
  readonly sizes = new Sizes();
  private readonly whiteouts: Whiteouts;
  private readonly payloads: Payloads;
  private readonly meta = new EntryMeta();
  /** Regular files go to disk from here, off the event loop. */
  private readonly queue: FileQueue;
  /** The sinks a payload goes to, made once (not a closure per entry). */
  private readonly toQueue = (c: Buffer) => this.queue.data(c);
  private readonly toSplit = (c: Buffer) => this.split.raw(c);

  constructor(
    root: string,
    private readonly split: TarSplitWriter,
    private readonly source: ByteSource,
  ) {
    this.tree = new LayerTree(root);
    this.queue = new FileQueue(source.pool);
    this.whiteouts = new Whiteouts(this.tree);
    this.payloads = new Payloads(this.tree, split);
  }

  /**
   * Writes one entry. It returns a promise only when it must wait (for the
   * file queue, or for bytes not read yet): most entries of a layer are done
   * when it returns, without the cost of a promise each.
   */
  entry(h: Header, pax: ReadonlyMap<string, Buffer>): Promise<void> | undefined {
    const rel = cleanPath(h.name);
    if (rel === "") {
      // The root itself ("./"): only its metadata applies.
      if (h.type === "5") this.meta.apply(this.tree.root, h, pax, false);
      return this.skipBody(h);
    }
    const slash = rel.lastIndexOf("/");
    const base = slash < 0 ? rel : rel.slice(slash + 1);
    const parent = slash < 0 ? "" : rel.slice(0, slash);
    // What this layer wrote may still be queued: anything that looks at it waits until it is on disk.
    const looks = h.type === "1" || base.startsWith(WHITEOUT) || this.tree.touchesCreated(rel, parent);
    if (looks && this.queue.busy) return this.queue.flush().then(() => this.place(h, pax, rel, parent, base));
    return this.place(h, pax, rel, parent, base);
  }

  /** The entry at `rel` (in `parent`, named `base`), once nothing it looks at is still queued. */
  private place(
    h: Header,
    pax: ReadonlyMap<string, Buffer>,
    rel: string,
    parent: string,
    base: string,
  ): Promise<void> | undefined {
    this.tree.ensureParents(rel, h.name, parent);
    if (base === OPAQUE) this.whiteouts.opaque(parent);
    else if (base.startsWith(WHITEOUT)) {
      const target = parent ? `${parent}/${base.slice(WHITEOUT.length)}` : base.slice(WHITEOUT.length);
      cleanName(target);
      this.whiteouts.whiteout(target, h);
    } else {
      const e: Entry = { h, pax, rel, overWhiteout: this.whiteouts.replaces(rel) };
      if (h.type === "0" || h.type === "7") return this.file(e);
      this.write(e);
    }
    return this.skipBody(h);
  }

  /** Every file on disk, then the directories' times (writing into a directory changes them). */
  async finish(): Promise<void> {
    await this.queue.flush();
    this.meta.finish();
  }

  /** After a failure: nothing is being written any more once this resolves. */
  abandon(): Promise<void> {
    return this.queue.abandon();
  }

  /** Every entry type but regular files (whose payload is streamed). */
  private write(e: Entry): void {
    const { h, rel } = e;
    const path = this.tree.abs(rel);
    switch (h.type) {
      case "5":
        if (!this.clear(rel, true)) mkdirSync(path, { mode: 0o755 });
        if (e.overWhiteout) this.whiteouts.opaque(rel);
        this.tree.markDir(rel);
        this.meta.apply(path, h, e.pax, false);
        return;
      case "1":
        this.hardlink(e);
        return;
      case "2":
        this.clear(rel, false);
        symlinkSync(h.linkname, path);
        this.sizes.add(rel, Buffer.byteLength(h.linkname));
        this.meta.apply(path, h, e.pax, true);
        return;
      case "3":
      case "4":
      case "6":
        this.clear(rel, false);
        native().mknod(path, DEVICE_KIND[h.type] | (h.mode & 0o7777), h.devmajor, h.devminor);
        this.meta.apply(path, h, e.pax, false);
        return;
      default:
        throw new StrataError(
          "CORRUPT_LAYER",
          `unsupported tar entry type ${JSON.stringify(h.type)} for ${h.name}`,
        );
    }
  }

  /** A regular file: queued (content, then owner, mode and time, in that order), or written here if it has xattrs. */
  private file(e: Entry): Promise<void> | undefined {
    const { h, rel } = e;
    this.clear(rel, false);
    const mode = h.mode & 0o7777;
    // open(2) gives the file `mode & 0o777` less the umask: that is its whole mode when nothing was cut.
    const createdWith = mode & 0o777 & ~UMASK;
    const path = this.tree.abs(rel);
    if (EntryMeta.hasXattrs(e.pax) || !FileQueue.fits(path)) return this.fileHere(e, createdWith);
    this.queue.open(path, mode & 0o777);
    const close = () => {
      this.sizes.add(rel, h.size);
      const chmod = createdWith === mode ? -1 : mode;
      return this.queue.close({ uid: h.uid, gid: h.gid, chmod, mtime: h.mtime });
    };
    if (h.size === 0) return close();
    this.payloads.record(rel, h.size);
    const wait = this.body(h, this.toQueue);
    return wait ? wait.then(close) : close();
  }

  /** Xattrs are set by path, after the owner and before the mode (entry-meta.ts): such a file is written here. */
  private async fileHere(e: Entry, createdWith: number): Promise<void> {
    const { h, rel } = e;
    const path = this.tree.abs(rel);
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    const fd = openSync(path, flags, h.mode & 0o777);
    try {
      if (h.size > 0) {
        this.payloads.record(rel, h.size);
        await this.body(h, (c) => {
          let off = 0;
          while (off < c.length) off += writeSync(fd, c, off);
        });
      }
    } finally {
      closeSync(fd);
    }
    this.sizes.add(rel, h.size);
    this.meta.apply(path, h, e.pax, false, createdWith);
  }

  private hardlink({ h, rel }: Entry): void {
    const targetRel = cleanPath(h.linkname);
    if (targetRel === "") throw unsafe(h.name, "it links to the layer root");
    this.tree.ensureParents(targetRel, h.name);
    const st = this.tree.stat(targetRel);
    if (!st) throw unsafe(h.name, `its hardlink target ${h.linkname} is not in this layer`);
    if (st.isDirectory()) throw unsafe(h.name, "it hardlinks a directory");
    if (targetRel === rel) return;
    this.clear(rel, false);
    linkSync(this.tree.abs(targetRel), this.tree.abs(rel));
    this.sizes.link(rel, targetRel);
  }

  /**
   * Before a path is written: drop what this layer put there (saving any
   * content the tar-split refers to). Returns true when a directory is there
   * and `keepDir` keeps it (a directory entry over a directory updates it).
   */
  private clear(rel: string, keepDir: boolean): boolean {
    if (this.tree.claim(rel)) return false;
    const st = this.tree.stat(rel);
    if (!st) return false;
    if (st.isDirectory()) {
      if (keepDir) return true;
      this.payloads.saveUnder(rel);
      this.tree.unmarkTree(rel);
      rmSync(this.tree.abs(rel), { recursive: true, force: true });
      this.sizes.removeTree(rel);
      return false;
    }
    this.payloads.save(rel);
    rmSync(this.tree.abs(rel), { force: true });
    this.sizes.remove(rel);
    return false;
  }

  /** Streams the payload to `sink`, then the padding to the tar-split; a promise only when it must wait. */
  private body(h: Header, sink: (c: Buffer) => unknown): Promise<void> | undefined {
    const pad = padding(h.size);
    const wait = this.source.pipe(h.size, sink);
    return wait ? wait.then(() => this.padding(pad)) : this.padding(pad);
  }

  private padding(pad: number): Promise<void> | undefined {
    if (pad === 0) return undefined;
    const now = this.source.take(pad);
    if (now) {
      this.split.raw(now);
      return undefined;
    }
    return this.source.read(pad).then((b) => this.split.raw(b ?? Buffer.alloc(0)));
  }

  /** A payload nothing is written from (links, directories, whiteouts) is kept in the tar-split as is. */
  private skipBody(h: Header): Promise<void> | undefined {
    return h.size > 0 ? this.body(h, this.toSplit) : undefined;
  }
}
