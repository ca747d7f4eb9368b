/** `history`: Docker's IMAGE CREATED CREATED BY SIZE COMMENT table, newest first. */
import { createdSince, ellipsis, humanSizeWithPrecision, truncateId } from "../../format/index.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";
import { renderItems } from "../render.ts";

export interface HistoryFlags {
  trunc?: boolean;
  quiet?: boolean;
  human?: boolean;
  format?: string;
}

const HEADERS = {
  ID: "IMAGE",
  CreatedSince: "CREATED",
  CreatedAt: "CREATED AT",
  CreatedBy: "CREATED BY",
  Size: "SIZE",
  Comment: "COMMENT",
};

export async function run(ctx: CommandContext, name: string, flags: HistoryFlags): Promise<CommandResult> {
  const engine = await ctx.engine();
  const noTrunc = flags.trunc === false;
  const human = flags.human !== false;
  const items = await engine.images.history(name);
  const now = new Date();
  const rows = items.map((h) => {
    const created = h.created ? new Date(h.created) : undefined;
    const old = !created || created.getTime() <= Date.UTC(2000, 0, 1);
    const createdBy = h.createdBy.replace(/\t/g, " ");
    return {
      ID: h.id === "<missing>" || noTrunc ? h.id : truncateId(h.id),
      CreatedSince: old ? "N/A" : human ? createdSince(created, now) : created.toISOString(),
      CreatedAt: created ? created.toISOString().replace(/\.\d{3}Z$/, "Z") : "",
      CreatedBy: noTrunc ? createdBy : ellipsis(createdBy, 45),
      Size: human ? humanSizeWithPrecision(h.size, 3) : String(h.size),
      Comment: h.comment,
    };
  });
  if (flags.quiet) {
    ctx.io.out(rows.map((r) => `${r.ID}\n`).join(""));
    return ok;
  }
  const format = flags.format ?? "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
  ctx.io.out(renderItems(format, rows, HEADERS));
  return ok;
}
