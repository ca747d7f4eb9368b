/** `system check [--repair]`: verifies the store; exit 1 when anything is wrong. */
import type { CommandContext, CommandResult } from "../context.ts";

export async function run(ctx: CommandContext, flags: { repair?: boolean }): Promise<CommandResult> {
  const report = await (await ctx.engine()).system.check({ repair: flags.repair });
  for (const p of report.problems) ctx.io.err(`${p}\n`);
  ctx.io.out(
    `checked ${report.images} images, ${report.refs} names, ${report.layers} layers, ${report.blobs} blobs: ` +
      `${report.problems.length === 0 ? "no problems" : `${report.problems.length} problems`}\n`,
  );
  return { exitCode: report.problems.length === 0 ? 0 : 1 };
}
