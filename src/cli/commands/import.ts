/** `import FILE|URL|- [REPOSITORY[:TAG]]`: prints the new image's ID, as Docker does. */
import { createReadStream } from "node:fs";
import { type CommandContext, type CommandResult, ok } from "../context.ts";

export async function run(
  ctx: CommandContext,
  file: string,
  reference: string | undefined,
  flags: { message?: string },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  // Docker's CLI hands http(s) sources to its daemon, which downloads them; anything else is a file.
  if (/^https?:\/\//.test(file)) {
    const id = await engine.images.importUrl(file, {
      reference,
      message: flags.message,
      onDownload: () => ctx.io.out(`Downloading from ${file}\n`),
    });
    ctx.io.out(`${id}\n`);
    return ok;
  }
  const input = file === "-" ? process.stdin : createReadStream(file);
  const id = await engine.images.import(input, {
    reference,
    message: flags.message,
    source: file === "-" ? "-" : file,
  });
  ctx.io.out(`${id}\n`);
  return ok;
}
