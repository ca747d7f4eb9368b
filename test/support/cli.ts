/**
 * Runs the built CLI (dist/strata.js) as a user would: a separate process,
 * its real stdout, stderr and exit code.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const CLI = join(process.cwd(), "dist", "strata.js");

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`node scripts/bundle.mjs\` first`);
}

export function strata(
  root: string,
  args: string[],
  opts: {
    input?: string;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** SIGKILL after this long (a hang fails the test). */
    timeoutMs?: number;
  } = {},
) {
  assertBuilt();
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "--root", root, ...args], {
      env: { ...process.env, ...opts.env },
      cwd: opts.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      timeout: opts.timeoutMs,
      killSignal: "SIGKILL",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, stderr, code: code ?? -1 }));
    child.stdin.end(opts.input ?? "");
  });
}
