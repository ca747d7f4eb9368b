/** `rm [-f] CONTAINER...`: prints each argument as typed once removed. */
import type { CommandContext, CommandResult } from "../context.ts";
import { renderError } from "../errors.ts";

export async function run(
  ctx: CommandContext,
  names: string[],
  flags: { force?: boolean },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  let exitCode = 0;
  for (const name of names) {
    try {
      await engine.containers.remove(name, { force: flags.force });
      ctx.io.out(`${name}\n`);
    } catch (err) {
      ctx.io.err(`${renderError(err).message}\n`);
      exitCode = 1;
    }
  }
  return { exitCode };
}
