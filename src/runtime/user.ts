/**
 * Resolves Docker's `--user` forms (name, uid, name:group, uid:gid) against the
 * container's own /etc/passwd and /etc/group, as runc's user.GetExecUser does
 * for Docker: a name must exist, a number need not; a matched user gets its
 * primary group and, unless a group was given, the supplementary groups that
 * list it as a member.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors.ts";

export interface ProcessUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

const MAX_ID = 2 ** 31 - 1;

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** Lines of a colon-separated file, or null when the file does not exist. */
function readTable(rootfs: string, file: string): string[][] | null {
  let text: string;
  try {
    text = readFileSync(join(rootfs, "etc", file), "utf8");
  } catch {
    return null;
  }
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => l.split(":"));
}

function passwd(rootfs: string): PasswdEntry[] {
  return (readTable(rootfs, "passwd") ?? []).map((f) => ({
    name: f[0] ?? "",
    uid: Number.parseInt(f[2] ?? "", 10),
    gid: Number.parseInt(f[3] ?? "", 10),
  }));
}

function groups(rootfs: string): GroupEntry[] {
  return (readTable(rootfs, "group") ?? []).map((f) => ({
    name: f[0] ?? "",
    gid: Number.parseInt(f[2] ?? "", 10),
    members: (f[3] ?? "").split(",").filter(Boolean),
  }));
}

function numeric(s: string): number | undefined {
  return /^\d+$/.test(s) ? Number(s) : undefined;
}

function checkRange(id: number, spec: string): number {
  if (id > MAX_ID) {
    throw new StrataError("INVALID_ARGUMENT", `uids and gids must be in range 0-${MAX_ID}: ${spec}`);
  }
  return id;
}

/** `spec` is Docker's User ("" means root). `groupAdd` is `--group-add` (names or gids). */
export function resolveUser(rootfs: string, spec: string, groupAdd: string[] = []): ProcessUser {
  const colon = spec.indexOf(":");
  const userArg = colon < 0 ? spec : spec.slice(0, colon);
  const groupArg = colon < 0 ? "" : spec.slice(colon + 1);
  const uidArg = numeric(userArg);
  const gidArg = numeric(groupArg);

  let uid = 0;
  let gid = 0;
  let matched: string | undefined;
  const user = passwd(rootfs).find((u) =>
    userArg === "" ? u.uid === 0 : uidArg !== undefined ? u.uid === uidArg : u.name === userArg,
  );
  if (user) {
    matched = user.name;
    uid = user.uid;
    gid = user.gid;
  } else if (userArg !== "") {
    if (uidArg === undefined) {
      throw new StrataError(
        "INVALID_ARGUMENT",
        `unable to find user ${userArg}: no matching entries in passwd file`,
      );
    }
    uid = checkRange(uidArg, spec);
  }

  const additionalGids: number[] = [];
  if (groupArg !== "" || matched !== undefined) {
    const table = groups(rootfs);
    if (groupArg !== "") {
      const group = table.find((g) => (gidArg !== undefined ? g.gid === gidArg : g.name === groupArg));
      if (group) gid = group.gid;
      else if (gidArg !== undefined) gid = checkRange(gidArg, spec);
      else {
        throw new StrataError(
          "INVALID_ARGUMENT",
          `unable to find group ${groupArg}: no matching entries in group file`,
        );
      }
    } else {
      for (const g of table) if (g.members.includes(matched as string)) additionalGids.push(g.gid);
    }
  }

  if (groupAdd.length > 0) {
    const table = groups(rootfs);
    for (const g of groupAdd) {
      const n = numeric(g);
      const found = table.find((e) => e.name === g || (n !== undefined && e.gid === n));
      if (found) additionalGids.push(found.gid);
      else if (n !== undefined) additionalGids.push(checkRange(n, g));
      else {
        throw new StrataError(
          "INVALID_ARGUMENT",
          `Unable to find group ${g}: no matching entries in group file`,
        );
      }
    }
  }
  return { uid, gid, additionalGids };
}
