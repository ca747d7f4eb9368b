/** `update`: new resource limits for one or more containers, running or not. */
import type { LimitChanges } from "../../container/index.ts";
import { StrataError } from "../../errors.ts";
import type { CommandContext, CommandResult } from "../context.ts";
import { eachName } from "./each.ts";
import { parseRestartFlag } from "./restart-flag.ts";
import { type ResourceFlags, resourceOptions } from "./run-flags.ts";

export async function run(
  ctx: CommandContext,
  names: string[],
  flags: ResourceFlags & { restart?: string },
): Promise<CommandResult> {
  const changes: LimitChanges = resourceOptions(flags);
  if (flags.restart !== undefined) changes.RestartPolicy = parseRestartFlag(flags.restart, 1);
  if (Object.keys(changes).length === 0) {
    throw new StrataError("INVALID_ARGUMENT", "You must provide one or more flags when using this command.", {
      details: { plain: true },
    });
  }
  const engine = await ctx.engine();
  return eachName(ctx, names, (name) => engine.containers.update(name, changes));
}
