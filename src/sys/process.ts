import { StrataError } from "../errors.ts";
import { childProcess } from "./builtins.ts";

/** Whether a process with this PID exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs a helper tool (`ip`, netavark) with `input` on its stdin, to its end:
 * its exit code and output. Only a tool that cannot be started rejects.
 */
export function runTool(
  cmd: string,
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = childProcess().execFile(cmd, args, { encoding: "utf8" }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") {
        reject(new StrataError("RUNTIME_ERROR", `cannot run ${cmd}`, { cause: err }));
        return;
      }
      resolve({ code: err ? (err.code as unknown as number) : 0, stdout, stderr });
    });
    child.stdin?.on("error", () => {});
    child.stdin?.end(input ?? "");
  });
}
