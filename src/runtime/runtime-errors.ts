/**
 * Turns the OCI runtime's own failure text (crun or runc) into Docker's
 * wording and exit codes (docker run/exec: 127 when the command does not
 * exist, 126 when it cannot be run, 125 for anything else).
 */
import { StrataError } from "../errors.ts";

export function dockerExitCode(runtimeMessage: string): number {
  if (/executable file .*not found|no such file or directory/i.test(runtimeMessage)) return 127;
  if (/permission denied|is a directory/i.test(runtimeMessage)) return 126;
  return 125;
}

/** The core of the message, in Docker's words: `exec: "x": executable file not found in $PATH`. */
export function dockerMessage(runtimeMessage: string): string {
  const text = runtimeMessage.trim();
  // crun: executable file `x` not found in $PATH: No such file or directory
  const crunMissing = /executable file `([^`]*)` not found in \$PATH/.exec(text);
  if (crunMissing) return `exec: "${crunMissing[1]}": executable file not found in $PATH`;
  // runc: … exec: "x": executable file not found in $PATH
  const runcMissing = /exec: "([^"]*)": executable file not found in \$PATH/.exec(text);
  if (runcMissing) return runcMissing[0];
  // crun: open executable: Permission denied (the path is not in its text)
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => l.replace(/^(crun|runc)( create| exec)?( failed)?: /, ""))
    .join("; ");
}

export function startError(runtimeMessage: string, what: "create" | "exec"): StrataError {
  const core = dockerMessage(runtimeMessage);
  // docker exec prints the runtime's text with moby's prefix; docker run's CLI adds its own context.
  const message =
    what === "exec"
      ? `OCI runtime exec failed: exec failed: unable to start container process: ${core}: unknown`
      : core;
  return new StrataError("RUNTIME_ERROR", message, {
    details: { exitCode: dockerExitCode(runtimeMessage), runtimeMessage: runtimeMessage.trim() },
  });
}
