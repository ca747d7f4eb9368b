/** `load [-i FILE] [-q]`: `Loaded image: NAME` per tag, `Loaded image ID: sha256:…` for untagged images. */
import { createReadStream, existsSync } from "node:fs";
import { StrataError } from "../../errors.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";

export async function run(
  ctx: CommandContext,
  flags: { input?: string; quiet?: boolean },
): Promise<CommandResult> {
  if (flags.input && !existsSync(flags.input)) {
    // Go's os.Open error, as Docker's CLI prints it.
    throw new StrataError("INVALID_ARGUMENT", `open ${flags.input}: no such file or directory`, {
      details: { plain: true },
    });
  }
  const input = flags.input ? createReadStream(flags.input) : process.stdin;
  const loaded = await (await ctx.engine()).images.load(input);
  if (flags.quiet) return ok;
  for (const image of loaded) {
    if (image.tags.length === 0) ctx.io.out(`Loaded image ID: ${image.id}\n`);
    for (const tag of image.tags) ctx.io.out(`Loaded image: ${tag}\n`);
  }
  return ok;
}
