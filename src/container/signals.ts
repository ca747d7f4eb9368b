/** Docker's signal parsing (moby/sys/signal.ParseSignal): `KILL`, `SIGKILL`, `sigkill` or `9`. */
import { StrataError } from "../errors.ts";
import { os } from "../sys/builtins.ts";

export function parseSignal(raw: string): NodeJS.Signals | number {
  const n = Number(raw);
  if (/^\d+$/.test(raw)) {
    if (n > 0 && n <= 64) return n;
  } else {
    const name = `SIG${raw.toUpperCase().replace(/^SIG/, "")}` as NodeJS.Signals;
    if (name in os().constants.signals) return name;
  }
  throw new StrataError("INVALID_ARGUMENT", `Invalid signal: ${raw}`);
}
