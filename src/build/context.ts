/**
 * The build context: a directory filtered by `.dockerignore` (Docker's own
 * matching, through @balena/dockerignore, a port of moby's fileutils), and
 * the content hashes COPY/ADD cache keys are made of. A file's hash covers
 * its name, type, mode, link target and content, never its mtime (as moby's
 * file hash); hashes are kept in the store keyed by (path, size, mtime,
 * inode), so a rebuild of an untouched context reads no file.
 */
import { createHash } from "node:crypto";
import {
  type BigIntStats,
  closeSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
} from "node:fs";
import { join } from "node:path";
import type { FileHashRecords } from "../metadata/index.ts";

export interface ContextEntry {
  /** Path relative to the context root, `/`-separated, no leading slash. */
  rel: string;
  abs: string;
  /** lstat with nanosecond times (the hash cache keys on mtime in ns). */
  stat: BigIntStats;
}

type Matcher = { ignores(path: string): boolean };

export interface BuildContext {
  root: string | null;
  /** Entries not excluded, by relative path; directories too. */
  entries: Map<string, ContextEntry>;
  ignoreBytes: number;
  /** Bytes read to hash files this time ("transferring context"). */
  transferred: number;
  hash(entry: ContextEntry): string;
  flush(): void;
}

export function readIgnoreFile(root: string): { patterns: string[]; bytes: number } {
  let text: string;
  try {
    text = readFileSync(join(root, ".dockerignore"), "utf8");
  } catch {
    return { patterns: [], bytes: 0 };
  }
  const patterns = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  return { patterns, bytes: Buffer.byteLength(text) };
}

async function matcher(patterns: string[]): Promise<Matcher> {
  const mod = (await import("@balena/dockerignore")) as unknown as {
    default: () => { add(p: string[]): Matcher };
  };
  return mod.default().add(patterns);
}

function walk(root: string, ig: Matcher, hasExceptions: boolean, out: Map<string, ContextEntry>): void {
  const visit = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = join(dir, name);
      const stat = lstatSync(abs, { bigint: true });
      const ignored = ig.ignores(stat.isDirectory() ? `${r}/` : r);
      if (!ignored) out.set(r, { rel: r, abs, stat });
      // An excluded directory is still walked when a `!` rule may bring something back.
      if (stat.isDirectory() && (!ignored || hasExceptions)) visit(abs, r);
    }
  };
  visit(root, "");
}

function fileDigest(abs: string, size: number): string {
  const h = createHash("sha256");
  const fd = openSync(abs, "r");
  try {
    const buf = Buffer.allocUnsafe(Math.min(size || 1, 1 << 20));
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest("hex");
}

export async function loadContext(root: string | null, hashes: FileHashRecords): Promise<BuildContext> {
  const entries = new Map<string, ContextEntry>();
  let ignoreBytes = 0;
  if (root) {
    const { patterns, bytes } = readIgnoreFile(root);
    ignoreBytes = bytes;
    // No patterns, nothing excluded: the matcher would still cost ~8 µs a path.
    const ig = patterns.length > 0 ? await matcher(patterns) : { ignores: () => false };
    walk(
      root,
      ig,
      patterns.some((p) => p.startsWith("!")),
      entries,
    );
  }
  const updates: { path: string; size: number; mtime: string; ino: string; digest: string }[] = [];
  // One range query for every hash known under this context, instead of one per file.
  const knownHashes = new Map((root ? hashes.under(`${root}/`) : []).map((h) => [h.path, h]));
  const ctx: BuildContext = {
    root,
    entries,
    ignoreBytes,
    transferred: 0,
    hash(entry) {
      const st = entry.stat;
      const type = st.isDirectory() ? "d" : st.isSymbolicLink() ? "l" : st.isFile() ? "f" : "o";
      let content = "";
      if (type === "l") content = readlinkSync(entry.abs);
      if (type === "f") {
        const mtime = String(st.mtimeNs);
        const ino = String(st.ino);
        const size = Number(st.size);
        const known = knownHashes.get(entry.abs);
        if (known && known.size === size && known.mtime === mtime && known.ino === ino) {
          content = known.digest;
        } else {
          content = fileDigest(entry.abs, size);
          ctx.transferred += size;
          updates.push({ path: entry.abs, size, mtime, ino, digest: content });
        }
      }
      return `${type}:${(Number(st.mode) & 0o7777).toString(8)}:${content}`;
    },
    flush() {
      if (updates.length > 0) hashes.putAll(updates.splice(0));
    },
  };
  return ctx;
}
