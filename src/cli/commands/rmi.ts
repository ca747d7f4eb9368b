/** `rmi`: Untagged/Deleted lines per image; with -f a missing image is not an error. */
import { isStrataError } from "../../errors.ts";
import type { CommandContext, CommandResult } from "../context.ts";
import { renderError } from "../errors.ts";

export interface RmiFlags {
  force?: boolean;
  /** false with `--no-prune`. */
  prune?: boolean;
}

export async function run(ctx: CommandContext, names: string[], flags: RmiFlags): Promise<CommandResult> {
  const engine = await ctx.engine();
  let exitCode = 0;
  for (const name of names) {
    try {
      const records = await engine.images.remove(name, { force: flags.force, prune: flags.prune });
      for (const r of records)
        ctx.io.out("untagged" in r ? `Untagged: ${r.untagged}\n` : `Deleted: ${r.deleted}\n`);
    } catch (err) {
      ctx.io.err(`${renderError(err).message}\n`);
      if (!(flags.force && isStrataError(err, "NOT_FOUND"))) exitCode = 1;
    }
  }
  return { exitCode };
}
