/** `import FILE|- [REPOSITORY[:TAG]]`: prints the new image's ID, as Docker does. */
import { createReadStream } from "node:fs";
import { type CommandContext, type CommandResult, ok } from "../context.ts";

export async function run(
  ctx: CommandContext,
  file: string,
  reference: string | undefined,
  flags: { message?: string },
): Promise<CommandResult> {
  const input = file === "-" ? process.stdin : createReadStream(file);
  const id = await (await ctx.engine()).images.import(input, {
    reference,
    message: flags.message,
    source: file === "-" ? "-" : file,
  });
  ctx.io.out(`${id}\n`);
  return ok;
}
