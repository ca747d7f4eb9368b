/**
 * Docker's way with commands over several containers (`stop a b`, `rm a b`):
 * each one in turn, the name as typed on stdout when it worked, the error on
 * stderr when not, and exit 1 if any failed. `fn` may return what to print
 * instead of the name (`wait` prints exit codes).
 */
import type { CommandContext, CommandResult } from "../context.ts";
import { renderError } from "../errors.ts";

export async function eachName(
  ctx: CommandContext,
  names: string[],
  fn: (name: string) => Promise<unknown>,
): Promise<CommandResult> {
  let exitCode = 0;
  for (const name of names) {
    try {
      const shown = await fn(name);
      ctx.io.out(`${typeof shown === "string" ? shown : name}\n`);
    } catch (err) {
      ctx.io.err(`${renderError(err).message}\n`);
      exitCode = 1;
    }
  }
  return { exitCode };
}
