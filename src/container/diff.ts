/**
 * `diff`: what a container changed, read from its upper directory. A 0/0
 * character device is a deletion (overlay whiteout); a path an image layer
 * also has is changed; anything else is added.
 */
import { existsSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";

export interface Change {
  kind: "A" | "C" | "D";
  path: string;
}

/** `lowerHas(path)` says whether an image layer has the path. */
export function upperChanges(upper: string, lowerHas: (path: string) => boolean): Change[] {
  const out: Change[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      const path = `${rel}/${name}`;
      const st = lstatSync(abs);
      if (st.isCharacterDevice() && st.rdev === 0) {
        out.push({ kind: "D", path });
        continue;
      }
      const existed = lowerHas(path);
      out.push({ kind: existed ? "C" : "A", path });
      if (st.isDirectory()) walk(abs, path);
    }
  };
  if (existsSync(upper)) walk(upper, "");
  return out;
}
