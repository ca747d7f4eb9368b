/**
 * `system prune [-a] [--volumes] [-f] [--filter]`: docker/cli 28's prompt
 * (its confirmation template, the filters listed), then each step's
 * "Deleted …:" section in its order, and the total.
 */
import type { SystemPruneResult } from "../../engine.ts";
import { humanSize } from "../../format/index.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";
import { confirm } from "./image-prune.ts";

export interface SystemPruneFlags {
  all?: boolean;
  volumes?: boolean;
  force?: boolean;
  filter?: string[];
}

/** The text docker/cli's confirmationTemplate renders, up to its "Are you sure" line. */
export function pruneWarning(flags: SystemPruneFlags): string {
  const warnings = ["all stopped containers", "all networks not used by at least one container"];
  if (flags.volumes) warnings.push("all anonymous volumes not used by at least one container");
  warnings.push(
    flags.all ? "all images without at least one container associated to them" : "all dangling images",
  );
  warnings.push(flags.all ? "all build cache" : "unused build cache");
  let text = `WARNING! This will remove:\n${warnings.map((w) => `  - ${w}\n`).join("")}`;
  const shown = (flags.filter ?? [])
    .filter((f) => /^(label|label!|until)=/.test(f))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  if (shown.length > 0) {
    text += `\n  Items to be pruned will be filtered with:\n${shown.map((f) => `  - ${f}\n`).join("")}`;
  }
  return text;
}

function section(title: string, lines: string[]): string {
  return lines.length > 0 ? `${title}\n${lines.map((l) => `${l}\n`).join("")}\n` : "";
}

export function pruneReport(r: SystemPruneResult): string {
  return (
    section("Deleted Containers:", r.containers) +
    section("Deleted Networks:", r.networks) +
    section("Deleted Volumes:", r.volumes ?? []) +
    section(
      "Deleted Images:",
      r.images.map((d) => ("untagged" in d ? `untagged: ${d.untagged}` : `deleted: ${d.deleted}`)),
    ) +
    // BuildKit's record IDs are 25 characters.
    section(
      "Deleted build cache objects:",
      r.buildCache.map((id) => id.replace(/^sha256:/, "").slice(0, 25)),
    ) +
    `Total reclaimed space: ${humanSize(r.spaceReclaimed)}\n`
  );
}

export async function run(ctx: CommandContext, flags: SystemPruneFlags): Promise<CommandResult> {
  // docker/cli refuses this before it asks anything.
  if (flags.volumes && (flags.filter ?? []).some((f) => f.startsWith("until="))) {
    ctx.io.err('ERROR: The "until" filter is not supported with "--volumes"\n');
    return { exitCode: 1 };
  }
  if (!flags.force && !(await confirm(ctx, pruneWarning(flags)))) return ok;
  const engine = await ctx.engine();
  const result = await engine.system.prune({ all: flags.all, volumes: flags.volumes, filters: flags.filter });
  ctx.io.out(pruneReport(result));
  return ok;
}
