/** Resolves Docker's `--user` forms (name, uid, uid:gid, name:group) against the container's /etc files. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors.ts";

function lookup(rootfs: string, file: "passwd" | "group", name: string): string[] | undefined {
  let text = "";
  try {
    text = readFileSync(join(rootfs, "etc", file), "utf8");
  } catch {
    return undefined;
  }
  return text
    .split("\n")
    .map((l) => l.split(":"))
    .find((f) => f[0] === name);
}

export function resolveUser(rootfs: string, user: string): { uid: number; gid: number } {
  if (!user) return { uid: 0, gid: 0 };
  const [u, g] = user.split(":");
  let uid: number;
  let gid = 0;
  if (/^\d+$/.test(u)) {
    uid = Number(u);
  } else {
    const entry = lookup(rootfs, "passwd", u);
    if (!entry)
      throw new StrataError("RUNTIME_ERROR", `unable to find user ${u}: no matching entries in passwd file`);
    uid = Number(entry[2]);
    gid = Number(entry[3]);
  }
  if (g !== undefined) {
    if (/^\d+$/.test(g)) gid = Number(g);
    else {
      const entry = lookup(rootfs, "group", g);
      if (!entry)
        throw new StrataError(
          "RUNTIME_ERROR",
          `unable to find group ${g}: no matching entries in group file`,
        );
      gid = Number(entry[2]);
    }
  }
  return { uid, gid };
}
