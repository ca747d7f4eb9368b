/** The busybox base layer every fixture image that runs something starts from. */
import { chmodSync, copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { scratchDir, tarDirectory } from "./fixtures-image.ts";

const BUSYBOX_APPLETS = [
  "[",
  "ash",
  "awk",
  "basename",
  "cat",
  "chmod",
  "chown",
  "cp",
  "cut",
  "date",
  "df",
  "dirname",
  "du",
  "echo",
  "env",
  "false",
  "find",
  "grep",
  "head",
  "hostname",
  "httpd",
  "id",
  "kill",
  "ln",
  "ls",
  "mkdir",
  "mktemp",
  "mv",
  "nc",
  "printf",
  "ps",
  "pwd",
  "readlink",
  "rm",
  "rmdir",
  "sed",
  "seq",
  "sh",
  "sleep",
  "sort",
  "stat",
  "tail",
  "tee",
  "test",
  "top",
  "touch",
  "tr",
  "true",
  "uname",
  "uniq",
  "wc",
  "wget",
  "which",
  "whoami",
  "xargs",
  "yes",
];

/**
 * A minimal root file system: /bin/busybox (Debian's busybox-static) with
 * applet symlinks, /etc/passwd and /etc/group, /tmp (1777) and /root (0700).
 * Built in `dir` (a new temporary directory when omitted); the caller removes it.
 */
export function buildBusyboxBase(dir = scratchDir("strata-busybox-")): string {
  for (const d of ["bin", "etc", "root", "tmp", "var"]) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync("/bin/busybox", join(dir, "bin", "busybox"));
  chmodSync(join(dir, "bin", "busybox"), 0o755);
  for (const applet of BUSYBOX_APPLETS) symlinkSync("busybox", join(dir, "bin", applet));
  writeFileSync(
    join(dir, "etc", "passwd"),
    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
  );
  writeFileSync(join(dir, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
  chmodSync(join(dir, "etc", "passwd"), 0o644);
  chmodSync(join(dir, "etc", "group"), 0o644);
  for (const d of ["bin", "etc", "var"]) chmodSync(join(dir, d), 0o755);
  chmodSync(join(dir, "tmp"), 0o1777);
  chmodSync(join(dir, "root"), 0o700);
  chmodSync(dir, 0o755);
  return dir;
}

let busyboxTar: Buffer | undefined;

/** The busybox base layer's tar, built once per process so every image shares the same layer. */
export function busyboxBaseTar(): Buffer {
  if (!busyboxTar) {
    const dir = buildBusyboxBase();
    try {
      busyboxTar = tarDirectory(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return busyboxTar;
}
