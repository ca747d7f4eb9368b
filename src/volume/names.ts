/** Volume names and where a volume's files live (Docker's local driver layout). */
import { join } from "node:path";
import { StrataError } from "../errors.ts";
import { randomBytes } from "../sys/builtins.ts";

/** moby's volume/local validName: a restricted name of at least two characters. */
const VALID_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function checkVolumeName(name: string): void {
  if (VALID_NAME.test(name)) return;
  throw new StrataError(
    "INVALID_ARGUMENT",
    `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    { details: { daemon: true } },
  );
}

/** An anonymous volume's name: 64 hex characters, as Docker's. */
export function anonymousName(): string {
  return randomBytes(32).toString("hex");
}

export function volumeDir(root: string, name: string): string {
  return join(root, "volumes", name);
}

/** Docker's Mountpoint: the directory containers see. */
export function volumeData(root: string, name: string): string {
  return join(volumeDir(root, name), "_data");
}

export function noSuchVolume(name: string): StrataError {
  return new StrataError("NOT_FOUND", `No such volume: ${name}`, {
    details: { volume: name, daemon: false },
  });
}
