/**
 * Docker's formatter.Context: a `table …` format prints a header row (the
 * same template executed over the column titles) and aligns cells with Go's
 * tabwriter; any other format prints one executed line per item.
 */
import { goJson, parseFormat, renderTable } from "../format/index.ts";

export function renderItems(
  format: string,
  items: readonly object[],
  headers: Record<string, string>,
): string {
  // Docker ≥ 23: `--format json` is one JSON object per item and line, its keys sorted (Go's map order).
  if (format.trim() === "json") {
    return items
      .map((item) => {
        const entries = Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `${goJson(Object.fromEntries(entries))}\n`;
      })
      .join("");
  }
  const { table, template } = parseFormat(format);
  // Rows are Go structs in Docker: an unknown field is an error, not `<no value>`.
  const lines = items.map((item) => template.execute(item, { strict: true }));
  if (!table) return lines.map((l) => `${l}\n`).join("");
  const header = template.execute(headers);
  return renderTable([header, ...lines].map((l) => l.split("\t")));
}
