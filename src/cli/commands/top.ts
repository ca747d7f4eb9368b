/** `top CONTAINER [ps OPTIONS]`: the container's processes in docker/cli's table (tabwriter minwidth 20, padding 3). */
import { renderTable } from "../../format/index.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";

export async function run(
  ctx: CommandContext,
  container: string,
  psOptions: string[],
): Promise<CommandResult> {
  const engine = await ctx.engine();
  // docker/cli joins the ps options with spaces; the daemon splits them again.
  const { Titles, Processes } = await engine.containers.top(container, psOptions.join(" "));
  ctx.io.out(renderTable([Titles, ...Processes], 20));
  return ok;
}
