/** `builder prune [-a] [-f]`: removes the build cache, asking first unless -f (docker/cli builder prune). */
import { humanSize } from "../../format/index.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";
import { confirm } from "./image-prune.ts";

export async function run(
  ctx: CommandContext,
  flags: { all?: boolean; force?: boolean },
): Promise<CommandResult> {
  const warning = flags.all
    ? "WARNING! This will remove all build cache."
    : "WARNING! This will remove all dangling build cache.";
  if (!flags.force && !(await confirm(ctx, warning))) return ok;
  const engine = await ctx.engine();
  const result = await engine.images.pruneBuildCache({ all: flags.all });
  if (result.deleted.length > 0) {
    ctx.io.out("Deleted build cache objects:\n");
    for (const id of result.deleted) ctx.io.out(`${id.replace(/^sha256:/, "").slice(0, 25)}\n`);
    ctx.io.out("\n");
  }
  ctx.io.out(`Total reclaimed space: ${humanSize(result.spaceReclaimed)}\n`);
  return ok;
}
