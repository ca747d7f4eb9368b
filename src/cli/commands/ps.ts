/** `ps`: Docker's columns, newest first; -s adds SIZE as `62B (virtual 77.9MB)`. */
import type { ContainerSummary } from "../../container/index.ts";
import {
  createdSince,
  displayPorts,
  ellipsis,
  goQuote,
  humanSizeWithPrecision,
  truncateId,
} from "../../format/index.ts";
import { statusText } from "../container-status.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";
import { renderItems } from "../render.ts";

export interface PsFlags {
  all?: boolean;
  quiet?: boolean;
  size?: boolean;
  trunc?: boolean;
  format?: string;
  filter?: string[];
}

const HEADERS = {
  ID: "CONTAINER ID",
  Image: "IMAGE",
  Command: "COMMAND",
  CreatedAt: "CREATED AT",
  RunningFor: "CREATED",
  Status: "STATUS",
  State: "STATE",
  Ports: "PORTS",
  Names: "NAMES",
  Size: "SIZE",
};

function row(c: ContainerSummary, noTrunc: boolean, now: number) {
  let size = humanSizeWithPrecision(Math.max(0, c.sizeRw), 3);
  if (c.sizeRootFs > 0) size += ` (virtual ${humanSizeWithPrecision(c.sizeRootFs, 3)})`;
  const image = c.image === "" ? "<no image>" : c.image;
  return {
    ID: noTrunc ? c.id : c.id.slice(0, 12),
    Image: noTrunc || !/^[0-9a-f]{12}$/.test(image) ? image : truncateId(image),
    Command: noTrunc ? goQuote(c.command) : goQuote(ellipsis(c.command, 20)),
    CreatedAt: c.created,
    RunningFor: createdSince(new Date(c.created), new Date(now)),
    Status: statusText(c, now),
    State: c.state,
    Ports: displayPorts(c.ports),
    Names: c.names.join(","),
    Size: size,
  };
}

export async function run(ctx: CommandContext, flags: PsFlags): Promise<CommandResult> {
  const engine = await ctx.engine();
  const list = await engine.containers.list({ all: flags.all, size: flags.size, filters: flags.filter });
  const noTrunc = flags.trunc === false;
  if (flags.quiet) {
    ctx.io.out(list.map((c) => `${noTrunc ? c.id : c.id.slice(0, 12)}\n`).join(""));
    return ok;
  }
  const now = Date.now();
  const format =
    flags.format ??
    `table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}${flags.size ? "\t{{.Size}}" : ""}`;
  ctx.io.out(
    renderItems(
      format,
      list.map((c) => row(c, noTrunc, now)),
      HEADERS,
    ),
  );
  return ok;
}
