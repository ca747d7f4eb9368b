/**
 * Where strata's CLI bundle is, for conmon's exit command: the nearest
 * `dist/strata.js` above this module (src/container in a checkout, dist/ once
 * bundled), or $STRATA_CLI. Undefined when strata runs as a library without
 * its CLI: ended containers are then settled by the next call that looks.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

let found: string | null | undefined;

export function cliPath(): string | undefined {
  if (found === undefined) {
    found = process.env.STRATA_CLI ?? null;
    let dir = import.meta.dirname;
    while (!found) {
      for (const candidate of [join(dir, "strata.js"), join(dir, "dist", "strata.js")]) {
        if (!found && existsSync(candidate)) found = candidate;
      }
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return found ?? undefined;
}
