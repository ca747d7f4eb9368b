/** `save [-o FILE] IMAGE...`: refuses to write binary to a terminal, as Docker does. */
import { refuseTerminal, writeArchive } from "../archive-out.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";

export async function run(
  ctx: CommandContext,
  names: string[],
  flags: { output?: string },
): Promise<CommandResult> {
  refuseTerminal(flags.output);
  const stream = await (await ctx.engine()).images.save(names);
  await writeArchive(stream, flags.output);
  return ok;
}
