/**
 * Builds tar streams byte by byte for tests, including entries no honest tool
 * would write (traversal names, links out of the layer, binary PAX values).
 */
export interface TestEntry {
  name: string;
  /** "g": a global PAX header of `pax` alone (no entry of its own). */
  type?: "0" | "1" | "2" | "3" | "4" | "5" | "6" | "g";
  body?: Buffer | string;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  devmajor?: number;
  devminor?: number;
  /** Extra PAX records (raw values). */
  pax?: Record<string, Buffer | string>;
}

function octal(value: number, len: number): string {
  return `${value.toString(8).padStart(len - 1, "0")}\0`;
}

function header(e: TestEntry, size: number, type: string, name = e.name): Buffer {
  const b = Buffer.alloc(512);
  b.write(name.slice(0, 100), 0, "utf8");
  b.write(octal(e.mode ?? (type === "5" ? 0o755 : 0o644), 8), 100);
  b.write(octal(e.uid ?? 0, 8), 108);
  b.write(octal(e.gid ?? 0, 8), 116);
  b.write(octal(size, 12), 124);
  b.write(octal(e.mtime ?? 1_700_000_000, 12), 136);
  b.write("        ", 148);
  b.write(type, 156);
  b.write((e.linkname ?? "").slice(0, 100), 157);
  b.write("ustar\u000000", 257, "latin1");
  b.write(octal(e.devmajor ?? 0, 8), 329);
  b.write(octal(e.devminor ?? 0, 8), 337);
  let sum = 0;
  for (const c of b) sum += c;
  b.write(octal(sum, 7), 148);
  return b;
}

const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);

function paxBody(records: Record<string, Buffer | string>): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(records)) {
    const value = Buffer.isBuffer(v) ? v : Buffer.from(v);
    const rest = Buffer.concat([Buffer.from(` ${k}=`), value, Buffer.from("\n")]);
    let len = rest.length + 1;
    while (String(len).length + rest.length > len) len++;
    parts.push(Buffer.concat([Buffer.from(String(len)), rest]));
  }
  return Buffer.concat(parts);
}

export function buildTar(entries: TestEntry[], opts: { trailer?: Buffer } = {}): Buffer {
  const out: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? "0";
    const body = typeof e.body === "string" ? Buffer.from(e.body) : (e.body ?? Buffer.alloc(0));
    const pax: Record<string, Buffer | string> = { ...e.pax };
    if (type === "g") {
      const pb = paxBody(pax);
      out.push(header({ name: "GlobalHead" }, pb.length, "g", "GlobalHead"), pb, pad(pb.length));
      continue;
    }
    if (Buffer.byteLength(e.name) > 100) pax.path = e.name;
    if (e.linkname && Buffer.byteLength(e.linkname) > 100) pax.linkpath = e.linkname;
    if (Object.keys(pax).length > 0) {
      const pb = paxBody(pax);
      out.push(header({ name: "PaxHeader" }, pb.length, "x", "PaxHeader"), pb, pad(pb.length));
    }
    out.push(header(e, body.length, type), body, pad(body.length));
  }
  out.push(Buffer.alloc(1024));
  if (opts.trailer) out.push(opts.trailer);
  return Buffer.concat(out);
}
