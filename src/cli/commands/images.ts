/** `images` / `image ls`: Docker's classic table (one row per repository and tag). */

import { createdSince, humanSizeWithPrecision, truncateId } from "../../format/index.ts";
import type { ImageSummary } from "../../image/index.ts";
import { familiarName, parseNormalizedNamed } from "../../reference/index.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";
import { globMatch } from "../glob.ts";
import { renderItems } from "../render.ts";

export interface ImagesFlags {
  all?: boolean;
  quiet?: boolean;
  digests?: boolean;
  trunc?: boolean;
  filter?: string[];
  format?: string;
}

const HEADERS = {
  Repository: "REPOSITORY",
  Tag: "TAG",
  Digest: "DIGEST",
  ID: "IMAGE ID",
  CreatedSince: "CREATED",
  CreatedAt: "CREATED AT",
  Size: "SIZE",
  SharedSize: "SHARED SIZE",
  UniqueSize: "UNIQUE SIZE",
  VirtualSize: "VIRTUAL SIZE",
  Containers: "CONTAINERS",
};

/** One row's fields, named as Docker's template context names them. */
export interface ImageRow {
  ID: string;
  Repository: string;
  Tag: string;
  Digest: string;
  CreatedSince: string;
  CreatedAt: string;
  Size: string;
  SharedSize: string;
  UniqueSize: string;
  VirtualSize: string;
  Containers: string;
}

function goTime(iso: string | null): string {
  if (!iso) return "0001-01-01 00:00:00 +0000 UTC";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000 UTC`;
}

export function imageRows(
  image: ImageSummary,
  opts: { digests: boolean; noTrunc: boolean; now: number },
): ImageRow[] {
  const base = {
    ID: opts.noTrunc ? image.id : truncateId(image.id),
    CreatedSince: image.created ? createdSince(new Date(image.created), new Date(opts.now)) : "N/A",
    CreatedAt: goTime(image.created),
    Size: humanSizeWithPrecision(image.size, 3),
    SharedSize: image.sharedSize < 0 ? "N/A" : humanSizeWithPrecision(image.sharedSize, 3),
    UniqueSize: image.sharedSize < 0 ? "N/A" : humanSizeWithPrecision(image.size - image.sharedSize, 3),
    VirtualSize: humanSizeWithPrecision(image.size, 3),
    Containers: image.containers < 0 ? "N/A" : String(image.containers),
  };
  if (image.repoTags.length === 0 && image.repoDigests.length === 0) {
    return [{ ...base, Repository: "<none>", Tag: "<none>", Digest: "<none>" }];
  }
  const tags = new Map<string, string[]>();
  const digests = new Map<string, string[]>();
  for (const t of image.repoTags) {
    const ref = parseNormalizedNamed(t);
    const repo = familiarName(ref);
    tags.set(repo, [...(tags.get(repo) ?? []), ref.tag ?? "latest"]);
  }
  for (const d of image.repoDigests) {
    const ref = parseNormalizedNamed(d);
    const repo = familiarName(ref);
    digests.set(repo, [...(digests.get(repo) ?? []), ref.digest ?? ""]);
  }
  const rows: ImageRow[] = [];
  for (const [repo, repoTags] of tags) {
    const ds = opts.digests ? (digests.get(repo) ?? []) : [];
    digests.delete(repo);
    for (const tag of repoTags) {
      if (ds.length === 0) rows.push({ ...base, Repository: repo, Tag: tag, Digest: "<none>" });
      for (const d of ds) rows.push({ ...base, Repository: repo, Tag: tag, Digest: d });
    }
  }
  for (const [repo, ds] of digests) {
    if (opts.digests) for (const d of ds) rows.push({ ...base, Repository: repo, Tag: "<none>", Digest: d });
    else rows.push({ ...base, Repository: repo, Tag: "<none>", Digest: "" });
  }
  return rows;
}

function parseFilters(filters: string[]): { dangling?: boolean; references: string[] } {
  const out: { dangling?: boolean; references: string[] } = { references: [] };
  for (const f of filters) {
    const [key, ...rest] = f.split("=");
    const value = rest.join("=");
    if (key === "dangling") {
      if (value !== "true" && value !== "false") {
        throw new Error(`Invalid filter 'dangling=${value}'`);
      }
      out.dangling = value === "true";
    } else if (key === "reference") out.references.push(value);
    else throw new Error(`invalid filter '${key}'`);
  }
  return out;
}

function matchesReference(image: ImageSummary, patterns: string[]): boolean {
  if (patterns.length === 0) return true;
  return image.repoTags.some((t) => {
    const ref = parseNormalizedNamed(t);
    const name = familiarName(ref);
    return patterns.some((p) => globMatch(p, name) || globMatch(p, `${name}:${ref.tag}`));
  });
}

/**
 * `images [REPOSITORY[:TAG]]`: the argument is a reference filter (docker/cli
 * image/list.go), and only the rows of names it matches are shown.
 */
export async function run(
  ctx: CommandContext,
  repository: string | undefined,
  flags: ImagesFlags,
): Promise<CommandResult> {
  const engine = await ctx.engine();
  const filters = parseFilters([...(flags.filter ?? []), ...(repository ? [`reference=${repository}`] : [])]);
  const noTrunc = flags.trunc === false;
  let images = engine.images.list();
  if (filters.dangling !== undefined)
    images = images.filter((i) => (i.repoTags.length === 0) === filters.dangling);
  images = images.filter((i) => matchesReference(i, filters.references));
  // Since Docker 29 untagged images show only with -a or a dangling filter.
  if (!flags.all && filters.dangling === undefined) images = images.filter((i) => i.repoTags.length > 0);
  if (flags.quiet) {
    const ids = [...new Set(images.map((i) => (noTrunc ? i.id : truncateId(i.id))))];
    ctx.io.out(ids.map((id) => `${id}\n`).join(""));
    return ok;
  }
  const now = Date.now();
  const rows = images
    .map((i) =>
      filters.references.length === 0
        ? i
        : {
            ...i,
            repoTags: i.repoTags.filter((t) => matchesReference({ ...i, repoTags: [t] }, filters.references)),
          },
    )
    .flatMap((i) => imageRows(i, { digests: flags.digests ?? false, noTrunc, now }));
  const format =
    flags.format ??
    `table {{.Repository}}\t{{.Tag}}\t${flags.digests ? "{{.Digest}}\t" : ""}{{.ID}}\t{{.CreatedSince}}\t{{.Size}}`;
  ctx.io.out(renderItems(format, rows, HEADERS));
  return ok;
}
