import { StrataError } from "../../errors.ts";
import { humanSize } from "../../format/index.ts";
import { parseNormalizedNamed, referenceString } from "../../reference/index.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";
import { PushRenderer } from "../push-progress.ts";

export interface PushFlags {
  quiet?: boolean;
  allTags?: boolean;
}

/**
 * Docker's push reports every failure through its progress stream, so the
 * CLI prints the bare message (no `Error response from daemon:`), exit 1.
 */
function pushFailure(ctx: CommandContext, err: unknown): CommandResult {
  if (!(err instanceof StrataError)) throw err;
  const message = err.details.noCredentials === true ? "no basic auth credentials" : err.message;
  ctx.io.err(`${message}\n`);
  return { exitCode: 1 };
}

export async function run(ctx: CommandContext, name: string, flags: PushFlags): Promise<CommandResult> {
  const named = parseNormalizedNamed(name);
  if (flags.allTags && named.tag) {
    ctx.io.err("tag can't be used with --all-tags/-a\n");
    return { exitCode: 1 };
  }
  if (!flags.allTags && !named.tag && !named.digest && !flags.quiet) {
    ctx.io.out("Using default tag: latest\n");
  }
  const engine = await ctx.engine();
  const renderer = flags.quiet ? undefined : new PushRenderer(ctx.io, humanSize);
  try {
    await engine.images.push(name, { onProgress: renderer?.onEvent, allTags: flags.allTags });
  } catch (err) {
    return pushFailure(ctx, err);
  }
  if (flags.quiet)
    ctx.io.out(`${referenceString(named.tag || flags.allTags ? named : { ...named, tag: "latest" })}\n`);
  return ok;
}
