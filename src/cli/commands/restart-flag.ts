/**
 * `--restart no|always|on-failure[:N]|unless-stopped`, read as docker/cli's
 * opts.ParseRestartPolicy reads it: only the `NAME[:COUNT]` form is the
 * CLI's to check; which names and counts are valid is the engine's (the
 * daemon's) to say.
 */
import { StrataError } from "../../errors.ts";

export interface RestartFlag {
  Name: string;
  MaximumRetryCount: number;
}

/** docker/cli prints these bare, with `docker: ….` and exit 125. */
const cliError = (message: string, exitCode = 125) =>
  new StrataError("INVALID_ARGUMENT", message, { details: { prefix: "", exitCode } });

/** `exitCode`: 125 for `run`/`create` (their usage errors), 1 for `update`. */
export function parseRestartFlag(value: string, exitCode = 125): RestartFlag {
  if (value === "") return { Name: "no", MaximumRetryCount: 0 };
  const colon = value.indexOf(":");
  const name = colon < 0 ? value : value.slice(0, colon);
  const count = colon < 0 ? "" : value.slice(colon + 1);
  if (colon >= 0 && name === "") {
    throw cliError("invalid restart policy format: no policy provided before colon", exitCode);
  }
  if (count !== "" && !/^[+-]?\d+$/.test(count)) {
    throw cliError("invalid restart policy format: maximum retry count must be an integer", exitCode);
  }
  return { Name: name, MaximumRetryCount: count === "" ? 0 : Number(count) };
}

/** docker/cli's own refusal, before it asks the daemon anything. */
export function checkRestartWithRm(policy: RestartFlag | undefined, rm: boolean | undefined): void {
  if (rm && policy && policy.Name !== "no" && policy.Name !== "") {
    throw cliError("Conflicting options: --restart and --rm");
  }
}
