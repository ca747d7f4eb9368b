/**
 * Writes tar headers (ustar, with a PAX record for names over 100 bytes) for
 * the archives strata produces itself (`save`).
 */
const BLOCK = 512;

function octal(value: number, len: number): string {
  return `${value.toString(8).padStart(len - 1, "0")}\0`;
}

function ustar(name: string, size: number, type: string, mode: number, mtime: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(name.slice(0, 100), 0, "utf8");
  b.write(octal(mode, 8), 100);
  b.write(octal(0, 8), 108);
  b.write(octal(0, 8), 116);
  b.write(octal(size, 12), 124);
  b.write(octal(mtime, 12), 136);
  b.write("        ", 148);
  b.write(type, 156);
  b.write("ustar\u000000", 257, "latin1");
  let sum = 0;
  for (const c of b) sum += c;
  b.write(octal(sum, 7), 148);
  return b;
}

export const tarPadding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** The header blocks of a regular file (or directory with `dir`). */
export function tarHeader(name: string, size: number, opts: { dir?: boolean; mtime?: number } = {}): Buffer {
  const type = opts.dir ? "5" : "0";
  const mode = opts.dir ? 0o755 : 0o644;
  const mtime = opts.mtime ?? 0;
  if (Buffer.byteLength(name) <= 100) return ustar(name, size, type, mode, mtime);
  const rest = ` path=${name}\n`;
  let len = Buffer.byteLength(rest) + 1;
  while (String(len).length + Buffer.byteLength(rest) > len) len++;
  const pax = Buffer.from(`${len}${rest}`);
  return Buffer.concat([
    ustar("PaxHeader", pax.length, "x", 0o644, mtime),
    pax,
    tarPadding(pax.length),
    ustar(name.slice(-100), size, type, mode, mtime),
  ]);
}

/** Two zero blocks end an archive. */
export const TAR_END = Buffer.alloc(BLOCK * 2);
