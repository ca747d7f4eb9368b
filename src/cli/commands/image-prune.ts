/** `image prune [-a] [-f]`: asks first unless -f, as Docker does. */
import { createInterface } from "node:readline/promises";
import { humanSize } from "../../format/index.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";

export interface PruneFlags {
  all?: boolean;
  force?: boolean;
}

export async function confirm(ctx: CommandContext, warning: string): Promise<boolean> {
  ctx.io.out(`${warning}\nAre you sure you want to continue? [y/N] `);
  const rl = createInterface({ input: process.stdin });
  const answer = await rl.question("").catch(() => "");
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

export async function run(ctx: CommandContext, flags: PruneFlags): Promise<CommandResult> {
  const warning = flags.all
    ? "WARNING! This will remove all images without at least one container associated to them."
    : "WARNING! This will remove all dangling images.";
  if (!flags.force && !(await confirm(ctx, warning))) return ok;
  const engine = await ctx.engine();
  const result = await engine.images.prune({ all: flags.all });
  if (result.records.length > 0) {
    ctx.io.out("Deleted Images:\n");
    for (const r of result.records)
      ctx.io.out("untagged" in r ? `untagged: ${r.untagged}\n` : `deleted: ${r.deleted}\n`);
    ctx.io.out("\n");
  }
  ctx.io.out(`Total reclaimed space: ${humanSize(result.spaceReclaimed)}\n`);
  return ok;
}
