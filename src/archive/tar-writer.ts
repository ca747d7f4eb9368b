/**
 * Writes tar headers for the archives strata produces itself: `save` (plain
 * files and directories) and container layers (every entry type, with PAX
 * records for long or non-ASCII names, large numbers and binary xattrs).
 */
const BLOCK = 512;
const MAX_ID = 0o7777777;
const MAX_SIZE = 0o77777777777;

export type TarType = "0" | "1" | "2" | "3" | "4" | "5" | "6";

export interface TarEntry {
  name: string;
  type: TarType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** Extra PAX records with raw values: `SCHILY.xattr.*` values are binary and must stay exact. */
  pax?: ReadonlyMap<string, Buffer>;
}

interface UstarFields {
  name: string;
  size: number;
  type: string;
  mode: number;
  mtime: number;
  uid?: number;
  gid?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

function octal(value: number, len: number): string {
  return `${value.toString(8).padStart(len - 1, "0")}\0`;
}

function ustar(f: UstarFields): Buffer {
  const b = Buffer.alloc(BLOCK);
  // Byte-bounded: a long UTF-8 name must never spill into the next field.
  b.write(f.name, 0, 100, "utf8");
  b.write(octal(f.mode, 8), 100);
  b.write(octal(f.uid ?? 0, 8), 108);
  b.write(octal(f.gid ?? 0, 8), 116);
  b.write(octal(f.size, 12), 124);
  b.write(octal(f.mtime, 12), 136);
  b.write("        ", 148);
  b.write(f.type, 156);
  if (f.linkname) b.write(f.linkname, 157, 100, "utf8");
  b.write("ustar\u000000", 257, "latin1");
  if (f.type === "3" || f.type === "4") {
    b.write(octal(f.devmajor ?? 0, 8), 329);
    b.write(octal(f.devminor ?? 0, 8), 337);
  }
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i] as number;
  b.write(octal(sum, 7), 148);
  return b;
}

export const tarPadding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** One `LEN key=value\n` record; LEN counts itself. */
function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from("\n")]);
  let len = rest.length + 1;
  while (String(len).length + rest.length > len) len++;
  return Buffer.concat([Buffer.from(String(len)), rest]);
}

/** An extended header (records sorted by key, as Go's archive/tar writes them) and its padding. */
function paxHeader(records: ReadonlyMap<string, Buffer>, mtime: number): Buffer {
  const keys = [...records.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const body = Buffer.concat(keys.map((k) => paxRecord(k, records.get(k) as Buffer)));
  return Buffer.concat([
    ustar({ name: "PaxHeader", size: body.length, type: "x", mode: 0o644, mtime }),
    body,
    tarPadding(body.length),
  ]);
}

/** The header blocks of a regular file (or directory with `dir`). */
export function tarHeader(name: string, size: number, opts: { dir?: boolean; mtime?: number } = {}): Buffer {
  const type = opts.dir ? "5" : "0";
  const mode = opts.dir ? 0o755 : 0o644;
  const mtime = opts.mtime ?? 0;
  if (Buffer.byteLength(name) <= 100) return ustar({ name, size, type, mode, mtime });
  return Buffer.concat([
    paxHeader(new Map([["path", Buffer.from(name)]]), mtime),
    ustar({ name: name.slice(-100), size, type, mode, mtime }),
  ]);
}

/** A ustar field holds ASCII up to 100 bytes; anything else goes in a PAX record. */
const fitsField = (s: string) => s.length <= 100 && Buffer.byteLength(s) === s.length;

/**
 * The header blocks of any entry: a ustar header, preceded by a PAX header
 * when a name, link target or number does not fit ustar or `pax` has records.
 */
export function tarEntryHeader(e: TarEntry): Buffer {
  const records = new Map<string, Buffer>(e.pax);
  if (!fitsField(e.name)) records.set("path", Buffer.from(e.name));
  if (e.linkname && !fitsField(e.linkname)) records.set("linkpath", Buffer.from(e.linkname));
  const field = (key: string, value: number, max: number) => {
    if (Number.isInteger(value) && value >= 0 && value <= max) return value;
    records.set(key, Buffer.from(String(value)));
    return 0;
  };
  const head = ustar({
    name: e.name,
    size: field("size", e.size, MAX_SIZE),
    type: e.type,
    mode: e.mode & 0o7777,
    mtime: field("mtime", e.mtime, MAX_SIZE),
    uid: field("uid", e.uid, MAX_ID),
    gid: field("gid", e.gid, MAX_ID),
    linkname: e.linkname,
    devmajor: e.devmajor,
    devminor: e.devminor,
  });
  if (records.size === 0) return head;
  return Buffer.concat([paxHeader(records, Math.max(0, Math.min(e.mtime, MAX_SIZE))), head]);
}

/** Two zero blocks end an archive. */
export const TAR_END = Buffer.alloc(BLOCK * 2);
