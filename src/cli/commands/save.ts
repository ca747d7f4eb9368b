/** `save [-o FILE] IMAGE...`: refuses to write binary to a terminal, as Docker does. */
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { StrataError } from "../../errors.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";

export async function run(
  ctx: CommandContext,
  names: string[],
  flags: { output?: string },
): Promise<CommandResult> {
  if (!flags.output && process.stdout.isTTY) {
    throw new StrataError(
      "INVALID_ARGUMENT",
      "cowardly refusing to save to a terminal. Use the -o flag or redirect",
    );
  }
  const stream = await (await ctx.engine()).images.save(names);
  await pipeline(stream, flags.output ? createWriteStream(flags.output) : process.stdout);
  return ok;
}
