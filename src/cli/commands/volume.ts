/** `volume create|inspect|ls|rm|prune`: Docker's columns, messages and prompts (docker/cli command/volume). */
import { humanSize } from "../../format/index.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";
import { renderError } from "../errors.ts";
import { renderItems } from "../render.ts";
import { eachName } from "./each.ts";
import { confirm } from "./image-prune.ts";
import { dockerJson } from "./inspect.ts";

/** `key=value` list flags (`--label`, `--opt`) as a map; a bare key has an empty value. */
function toMap(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf("=");
    if (eq < 0) out[v] = "";
    else out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

export async function create(
  ctx: CommandContext,
  name: string | undefined,
  flags: { driver?: string; label?: string[]; opt?: string[]; name?: string },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  const v = engine.volumes.create({
    name: name ?? flags.name,
    driver: flags.driver,
    labels: toMap(flags.label),
    options: toMap(flags.opt),
  });
  ctx.io.out(`${v.Name}\n`);
  return ok;
}

export async function inspect(
  ctx: CommandContext,
  names: string[],
  flags: { format?: string },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  const found: unknown[] = [];
  let exitCode = 0;
  for (const name of names) {
    try {
      found.push(engine.volumes.inspect(name));
    } catch (err) {
      ctx.io.err(`${renderError(err).message}\n`);
      exitCode = 1;
    }
  }
  if (flags.format) {
    const { parseFormat } = await import("../../format/index.ts");
    const { template } = parseFormat(flags.format);
    for (const item of found) ctx.io.out(`${template.execute(item)}\n`);
  } else {
    ctx.io.out(`${dockerJson(found)}\n`);
  }
  return { exitCode };
}

const HEADERS = {
  Driver: "DRIVER",
  Name: "VOLUME NAME",
  Mountpoint: "MOUNTPOINT",
  Scope: "SCOPE",
  Labels: "LABELS",
  Links: "LINKS",
  Size: "SIZE",
  Availability: "AVAILABILITY",
  Group: "GROUP",
  Status: "STATUS",
};

/** sortorder.NaturalLess, which Docker's CLI sorts volume names with: digit runs compare as numbers. */
function naturalLess(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

export async function ls(
  ctx: CommandContext,
  flags: { quiet?: boolean; filter?: string[]; format?: string },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  const volumes = engine.volumes.list({ filters: flags.filter }).sort((a, b) => naturalLess(a.Name, b.Name));
  if (flags.quiet) {
    ctx.io.out(volumes.map((v) => `${v.Name}\n`).join(""));
    return ok;
  }
  const rows = volumes.map((v) => ({
    Driver: v.Driver,
    Name: v.Name,
    Mountpoint: v.Mountpoint,
    Scope: v.Scope,
    Labels: Object.entries(v.Labels ?? {})
      .map(([k, val]) => `${k}=${val}`)
      .join(","),
    // Docker computes these only for `system df`; `volume ls` shows N/A.
    Links: "N/A",
    Size: "N/A",
    Availability: "N/A",
    Group: "N/A",
    Status: "N/A",
  }));
  ctx.io.out(renderItems(flags.format ?? "table {{.Driver}}\t{{.Name}}", rows, HEADERS));
  return ok;
}

export async function rm(
  ctx: CommandContext,
  names: string[],
  flags: { force?: boolean },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  return eachName(ctx, names, async (name) => engine.volumes.remove(name, { force: flags.force }));
}

export async function prune(
  ctx: CommandContext,
  flags: { force?: boolean; filter?: string[] },
): Promise<CommandResult> {
  const warning = "WARNING! This will remove all local volumes not used by at least one container.";
  if (!flags.force && !(await confirm(ctx, warning))) return ok;
  const engine = await ctx.engine();
  const { deleted, reclaimed } = engine.volumes.prune({ filters: flags.filter });
  if (deleted.length > 0) ctx.io.out(`Deleted Volumes:\n${deleted.map((n) => `${n}\n`).join("")}\n`);
  ctx.io.out(`Total reclaimed space: ${humanSize(reclaimed)}\n`);
  return ok;
}
