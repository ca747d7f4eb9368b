import { existsSync } from "node:fs";
import { join } from "node:path";
import { runProcess } from "./process.ts";

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
  // The CLI as a user runs it: its launcher line, not `node dist/strata.js`.
  return runProcess(CLI, ["--root", root, ...args], {
    ...opts,
    env: { ...process.env, ...opts.env },
  });
}
