/** `system df [-v]`: Docker's summary and verbose tables (docker/cli disk_usage.go). */
import {
  createdSince,
  ellipsis,
  goQuote,
  humanSize,
  humanSizeWithPrecision,
  renderTable,
  truncateId,
} from "../../format/index.ts";
import { familiarName, parseNormalizedNamed } from "../../reference/index.ts";
import { type DiskUsage, reclaimableImages } from "../../system/index.ts";
import { isActive, statusText } from "../container-status.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";

export interface DfFlags {
  verbose?: boolean;
}

function reclaimable(amount: number, total: number, percent: boolean): string {
  const size = humanSize(amount);
  // Integer division, as Go's int arithmetic truncates.
  return percent && total > 0 ? `${size} (${Math.trunc((amount * 100) / total)}%)` : size;
}

function summary(u: DiskUsage): string {
  const activeImages = u.images.filter((i) => i.containers > 0).length;
  const containersSize = u.containers.reduce((s, c) => s + c.sizeRw, 0);
  const idle = u.containers.filter((c) => !isActive(c)).reduce((s, c) => s + c.sizeRw, 0);
  return renderTable([
    ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"],
    [
      "Images",
      String(u.images.length),
      String(activeImages),
      humanSize(u.layersSize),
      reclaimable(reclaimableImages(u), u.layersSize, true),
    ],
    [
      "Containers",
      String(u.containers.length),
      String(u.containers.filter(isActive).length),
      humanSize(containersSize),
      reclaimable(idle, containersSize, true),
    ],
    volumesRow(u),
    [
      "Build Cache",
      String(u.buildCache.total),
      String(u.buildCache.active),
      humanSize(u.buildCache.size),
      humanSize(u.buildCache.reclaimable),
    ],
  ]);
}

/** Docker's Local Volumes row: active = mounted by a container; reclaimable = the bytes of the others. */
function volumesRow(u: DiskUsage): string[] {
  const size = u.volumes.reduce((s, v) => s + v.size, 0);
  const idle = u.volumes.filter((v) => v.links === 0).reduce((s, v) => s + v.size, 0);
  return [
    "Local Volumes",
    String(u.volumes.length),
    String(u.volumes.filter((v) => v.links > 0).length),
    humanSize(size),
    reclaimable(idle, size, true),
  ];
}

function firstTag(repoTags: string[]): [string, string] {
  if (repoTags.length === 0) return ["<none>", "<none>"];
  const ref = parseNormalizedNamed(repoTags[0]);
  return [familiarName(ref), ref.tag ?? "<none>"];
}

function verbose(u: DiskUsage): string {
  const now = new Date();
  const images = u.images.map((i) => {
    const [repo, tag] = firstTag(i.repoTags);
    const shared = i.sharedSize < 0 ? "N/A" : humanSize(i.sharedSize);
    const unique = i.sharedSize < 0 ? "N/A" : humanSize(i.size - i.sharedSize);
    const created = i.created ? createdSince(new Date(i.created), now) : "N/A";
    return [
      repo,
      tag,
      truncateId(i.id),
      created,
      humanSizeWithPrecision(i.size, 3),
      shared,
      unique,
      String(i.containers),
    ];
  });
  const containers = u.containers.map((c) => [
    c.id.slice(0, 12),
    c.image,
    goQuote(ellipsis(c.command, 20)),
    String(c.localVolumes),
    humanSizeWithPrecision(c.sizeRw, 3),
    createdSince(new Date(c.created), now),
    statusText(c, now.getTime()),
    c.names[0] ?? "",
  ]);
  return [
    "Images space usage:\n\n",
    renderTable([
      ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"],
      ...images,
    ]),
    "\nContainers space usage:\n\n",
    renderTable([
      ["CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES"],
      ...containers,
    ]),
    "\nLocal Volumes space usage:\n\n",
    renderTable([
      ["VOLUME NAME", "LINKS", "SIZE"],
      ...u.volumes.map((v) => [v.name, String(v.links), humanSize(v.size)]),
    ]),
    `\nBuild cache usage: ${humanSize(u.buildCache.size)}\n\n`,
    renderTable([
      ["CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED", "USAGE", "SHARED"],
      ...u.buildCache.records.map((r) => [
        r.id.slice(0, 12),
        "regular",
        humanSize(r.size),
        createdSince(new Date(r.createdAt), now),
        createdSince(new Date(r.lastUsed), now),
        "1",
        "false",
      ]),
    ]),
  ].join("");
}

export async function run(ctx: CommandContext, flags: DfFlags): Promise<CommandResult> {
  const engine = await ctx.engine();
  const usage = await engine.system.df();
  ctx.io.out(flags.verbose ? verbose(usage) : summary(usage));
  return ok;
}
