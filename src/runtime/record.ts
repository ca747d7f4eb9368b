/** strata's record of a container handed to conmon, kept in its directory (see paths.ts). */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { StrataError } from "../errors.ts";
import type { RuntimeName } from "./host.ts";
import { containerFiles } from "./paths.ts";

export interface RuntimeRecord {
  id: string;
  runtime: RuntimeName;
  bundleDir: string;
  tty: boolean;
  stdin: boolean;
  /** The container's init process (host pid namespace). */
  pid: number;
  /** The daemonized conmon that watches it. */
  conmonPid: number;
  /** What conmon runs once the container exited, if anything. */
  exitCommand?: string[];
}

export function writeRecord(containerDir: string, record: RuntimeRecord): void {
  const path = containerFiles(containerDir).record;
  writeFileSync(`${path}.tmp`, JSON.stringify(record));
  renameSync(`${path}.tmp`, path);
}

export function readRecord(containerDir: string): RuntimeRecord {
  try {
    return JSON.parse(readFileSync(containerFiles(containerDir).record, "utf8")) as RuntimeRecord;
  } catch (cause) {
    throw new StrataError("NOT_FOUND", `no container was created in ${containerDir}`, { cause });
  }
}
