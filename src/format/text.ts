/** Docker's table layout and string helpers (Go's text/tabwriter, docker/cli formatter). */

/** Display width as Go's tabwriter counts it: runes. */
export function displayWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Go's tabwriter as docker/cli configures it (minwidth 10, padding 3, spaces):
 * every cell but the last of a line is padded to its column's width. `top`
 * asks for minwidth 20.
 */
export function renderTable(rows: string[][], minWidth = 10): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length - 1; i++) {
      widths[i] = Math.max(widths[i] ?? minWidth, displayWidth(row[i]) + 3);
    }
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i < row.length - 1 ? cell + " ".repeat(widths[i] - displayWidth(cell)) : cell))
        .join(""),
    )
    .map((line) => `${line}\n`)
    .join("");
}

/** docker/cli formatter.Ellipsis: cut to `max` columns, the last one `…`. */
export function ellipsis(s: string, max: number): string {
  if (max <= 0) return "";
  const runes = [...s];
  if (runes.length <= max) return s;
  if (max === 1) return runes[0];
  return `${runes.slice(0, max - 1).join("")}…`;
}

/** Go's strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (c === 7) out += "\\a";
    else if (c === 8) out += "\\b";
    else if (c === 12) out += "\\f";
    else if (c === 10) out += "\\n";
    else if (c === 13) out += "\\r";
    else if (c === 9) out += "\\t";
    else if (c === 11) out += "\\v";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if ((c >= 0x80 && c < 0xa0) || c === 0xfffd) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The 12-hex short form of an ID (`sha256:` dropped). */
export function truncateId(id: string): string {
  const i = id.indexOf(":");
  return (i >= 0 ? id.slice(i + 1) : id).slice(0, 12);
}
