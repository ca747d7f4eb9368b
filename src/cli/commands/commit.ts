/** `commit [-a] [-c] [-m] [-p] CONTAINER [REPOSITORY[:TAG]]`: prints the new image's ID, as Docker does. */
import type { CommandContext, CommandResult } from "../context.ts";

export async function run(
  ctx: CommandContext,
  container: string,
  reference: string | undefined,
  flags: { author?: string; change?: string[]; message?: string; pause?: boolean },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  const id = await engine.containers.commit(container, {
    reference,
    author: flags.author,
    message: flags.message,
    pause: flags.pause,
    changes: flags.change,
  });
  ctx.io.out(`${id}\n`);
  return { exitCode: 0 };
}
