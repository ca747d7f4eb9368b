/**
 * Timestamps as Docker writes them: RFC 3339 in UTC with nanoseconds. A
 * JavaScript Date has milliseconds only; for "now" the sub-millisecond digits
 * come from the monotonic clock, so two records made in the same millisecond
 * still differ and sort in order, as Docker's do.
 */

export interface Rfc3339NanoOptions {
  /** The instant (its sub-millisecond digits are zeros); now by default. */
  at?: Date;
  /** Trim trailing zeros of the fraction, as Go's time.RFC3339Nano does; otherwise nine digits. */
  trim?: boolean;
}

export function rfc3339Nano(opts: Rfc3339NanoOptions = {}): string {
  const iso = (opts.at ?? new Date()).toISOString();
  const sub = opts.at ? "000000" : String(process.hrtime.bigint() % 1_000_000n).padStart(6, "0");
  const frac = `${iso.slice(20, 23)}${sub}`;
  if (!opts.trim) return `${iso.slice(0, 19)}.${frac}Z`;
  const trimmed = frac.replace(/0+$/, "");
  return `${iso.slice(0, 19)}${trimmed ? `.${trimmed}` : ""}Z`;
}
