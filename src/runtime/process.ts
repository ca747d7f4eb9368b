/**
 * Docker's merge of `docker run` options with the image config (moby
 * daemon/commit.go merge, daemon/create.go mergeAndVerifyConfig): what runs,
 * with which environment, as whom and where.
 */
import { posix } from "node:path";
import { StrataError } from "../errors.ts";
import { mergeEnv } from "./env.ts";

/** The process-related fields of an OCI image config (`config` in the image JSON). */
export interface ImageProcessConfig {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[] | null;
  User?: string;
  WorkingDir?: string;
}

export interface ProcessOverrides {
  /** `--entrypoint`: undefined when not given; `[""]` (or `[]`) for `--entrypoint ""`. */
  entrypoint?: string[];
  /** The arguments after the image name. */
  cmd?: string[];
  /** `-e` entries, already resolved by the CLI (`-e NAME` takes the CLI's value). */
  env?: string[];
  /** `--user`; empty or undefined keeps the image's. */
  user?: string;
  /** `-w`; empty or undefined keeps the image's. */
  workdir?: string;
}

export interface ResolvedProcess {
  entrypoint: string[];
  cmd: string[];
  /** entrypoint + cmd: the container's argv. */
  args: string[];
  /** The container's Env (not yet with PATH/HOSTNAME/TERM; buildSpec adds those). */
  env: string[];
  /** The user spec ("name", "uid", "uid:gid" …), to resolve with resolveUser. */
  user: string;
  /** Absolute, cleaned; "/" by default. */
  cwd: string;
}

export function resolveProcess(image: ImageProcessConfig, overrides: ProcessOverrides = {}): ResolvedProcess {
  let entrypoint = overrides.entrypoint;
  let cmd = overrides.cmd ?? [];
  // An explicit entrypoint (even `--entrypoint ""`, sent as [""]) drops the image's
  // Cmd; only an empty list or none at all falls back to the image.
  if (!entrypoint || entrypoint.length === 0) {
    if (cmd.length === 0) cmd = image.Cmd ?? [];
    if (entrypoint === undefined) entrypoint = image.Entrypoint ?? [];
  }
  if (entrypoint.length === 1 && entrypoint[0] === "") entrypoint = [];
  if (entrypoint.length === 0 && cmd.length === 0) {
    throw new StrataError("INVALID_ARGUMENT", "No command specified");
  }
  const workdir = overrides.workdir || image.WorkingDir || "";
  if (workdir !== "" && !workdir.startsWith("/")) {
    throw new StrataError(
      "INVALID_ARGUMENT",
      `the working directory '${workdir}' is invalid, it needs to be an absolute path`,
    );
  }
  return {
    entrypoint: [...entrypoint],
    cmd: [...cmd],
    args: [...entrypoint, ...cmd],
    env: mergeEnv(overrides.env ?? [], image.Env ?? []),
    user: overrides.user || image.User || "",
    cwd: workdir === "" ? "/" : posix.normalize(workdir).replace(/(.)\/$/, "$1"),
  };
}
