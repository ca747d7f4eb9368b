/** `image tree [IMAGE...]`: the store as a tree of shared layers, as text, JSON or one HTML page. */
import { StrataError } from "../../errors.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";
import { renderTreeHtml } from "../tree/html.ts";
import { renderTreeText } from "../tree/text.ts";

export interface TreeFlags {
  format?: string;
}

export async function run(ctx: CommandContext, names: string[], flags: TreeFlags): Promise<CommandResult> {
  const format = flags.format ?? "";
  if (!["", "json", "html"].includes(format)) {
    throw new StrataError("INVALID_ARGUMENT", `unknown format "${format}": use json or html`);
  }
  const engine = await ctx.engine();
  const tree = await engine.system.tree(names);
  if (format === "json") ctx.io.out(`${JSON.stringify(tree)}\n`);
  else if (format === "html") ctx.io.out(renderTreeHtml(tree));
  else ctx.io.out(renderTreeText(tree));
  return ok;
}
