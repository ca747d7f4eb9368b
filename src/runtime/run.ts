/**
 * Runs a prepared bundle with crun in the foreground, without a monitor: the
 * CLI waits on `crun run` and nothing records the end if the CLI goes away
 * (createContainer() with conmon is the path that outlives the CLI). The
 * container's streams are the CLI's own (a terminal stays a terminal with
 * -t), and crun's exit status is the container's. crun's own failures are
 * turned into Docker's exit codes: 127 for a command that does not exist,
 * 126 for one that cannot be run, 125 otherwise.
 */
import { StrataError } from "../errors.ts";
import { childProcess } from "../sys/builtins.ts";
import { defaultRuntime, runtimeGlobalArgs, runtimePath } from "./host.ts";

const RUNTIME_FAILURE =
  /^(crun|runc)[:\s]|executable file `[^`]*` not found in \$PATH|^(open|exec) executable: |^chdir to `/m;

export interface RunOptions {
  interactive: boolean;
  onStart?: (pid: number) => void;
}

export function runBundle(id: string, bundle: string, opts: RunOptions): Promise<number> {
  const runtime = defaultRuntime();
  const bin = runtimePath(runtime);
  const child = childProcess().spawn(bin, [...runtimeGlobalArgs(runtime), "run", "--bundle", bundle, id], {
    stdio: [opts.interactive ? "inherit" : "ignore", "inherit", "pipe"],
  });
  let runtimeError = "";
  child.stderr.on("data", (d: Buffer) => {
    const text = d.toString();
    // crun's own failures (before the command runs) are recognised by their wording; the rest is the container's.
    if (runtimeError === "" && RUNTIME_FAILURE.test(text)) runtimeError = text.trim();
    else process.stderr.write(d);
  });
  if (child.pid) opts.onStart?.(child.pid);
  return new Promise((resolve, reject) => {
    child.on("error", (cause) => reject(new StrataError("RUNTIME_ERROR", `cannot run ${bin}`, { cause })));
    child.on("close", (code, signal) => {
      if (runtimeError) {
        const notFound = /executable file .* not found|No such file or directory/.test(runtimeError);
        const denied = /permission denied|is a directory/i.test(runtimeError);
        const missing = /executable file `([^`]*)` not found/.exec(runtimeError);
        const message = missing
          ? `exec: "${missing[1]}": executable file not found in $PATH`
          : runtimeError.replace(/^(crun|runc): /, "");
        const err = new StrataError("RUNTIME_ERROR", message, {
          details: { exitCode: notFound ? 127 : denied ? 126 : 125 },
        });
        reject(err);
        return;
      }
      resolve(code ?? 128 + (signal === "SIGKILL" ? 9 : 15));
    });
  });
}
