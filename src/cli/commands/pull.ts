import { humanSize } from "../../format/index.ts";
import { parsePlatform } from "../../oci/index.ts";
import { parseNormalizedNamed, referenceString } from "../../reference/index.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";
import { PullRenderer } from "../progress.ts";

export interface PullFlags {
  quiet?: boolean;
  platform?: string;
}

export async function run(ctx: CommandContext, name: string, flags: PullFlags): Promise<CommandResult> {
  const named = parseNormalizedNamed(name);
  if (!named.tag && !named.digest && !flags.quiet) ctx.io.out("Using default tag: latest\n");
  const engine = await ctx.engine();
  const renderer = flags.quiet ? undefined : new PullRenderer(ctx.io, humanSize);
  const result = await engine.images.pull(name, {
    platform: flags.platform ? parsePlatform(flags.platform) : undefined,
    onProgress: renderer?.onEvent,
  });
  ctx.io.out(`${referenceString(result.reference)}\n`);
  return ok;
}
