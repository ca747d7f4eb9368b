/** `inspect` / `image inspect`: a JSON array, or one formatted line per object with -f. */
import { isStrataError } from "../../errors.ts";
import { parseFormat } from "../../format/index.ts";
import type { CommandContext, CommandResult } from "../context.ts";

export interface InspectFlags {
  format?: string;
  type?: string;
}

/** encoding/json's MarshalIndent with 4 spaces and HTML escaping, as Docker prints. */
export function dockerJson(value: unknown): string {
  return JSON.stringify(value, null, 4)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026");
}

export async function run(ctx: CommandContext, names: string[], flags: InspectFlags): Promise<CommandResult> {
  const engine = await ctx.engine();
  const template = flags.format ? parseFormat(flags.format).template : undefined;
  const found: unknown[] = [];
  let exitCode = 0;
  for (const name of names) {
    try {
      found.push(await engine.images.inspect(name));
    } catch (err) {
      if (!isStrataError(err, "NOT_FOUND")) throw err;
      exitCode = 1;
      // Docker prints the found objects, then `Error: No such image: x` (as typed) for each missing one.
      ctx.io.err(`Error: No such image: ${name}\n`);
    }
  }
  if (template) for (const item of found) ctx.io.out(`${template.execute(item)}\n`);
  else ctx.io.out(`${dockerJson(found)}\n`);
  return { exitCode };
}
