/** `network create|connect|disconnect|inspect|ls|prune|rm`: Docker's output for each. */
import { isStrataError } from "../../errors.ts";
import { parseFormat } from "../../format/index.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";
import { renderItems } from "../render.ts";
import { eachName } from "./each.ts";
import { confirm } from "./image-prune.ts";
import { dockerJson } from "./inspect.ts";

function labels(list: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of list) {
    const i = l.indexOf("=");
    out[i < 0 ? l : l.slice(0, i)] = i < 0 ? "" : l.slice(i + 1);
  }
  return out;
}

export async function create(
  ctx: CommandContext,
  name: string,
  flags: { driver?: string; subnet?: string; gateway?: string; internal?: boolean; label?: string[] },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  const id = await engine.networks.create({
    name,
    driver: flags.driver,
    subnet: flags.subnet,
    gateway: flags.gateway,
    internal: flags.internal,
    labels: labels(flags.label),
  });
  ctx.io.out(`${id}\n`);
  return ok;
}

export async function connect(
  ctx: CommandContext,
  network: string,
  container: string,
  flags: { alias?: string[]; ip?: string },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  await engine.networks.connect(network, container, { aliases: flags.alias, ip: flags.ip });
  return ok;
}

export async function disconnect(
  ctx: CommandContext,
  network: string,
  container: string,
  flags: { force?: boolean },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  await engine.networks.disconnect(network, container, { force: flags.force });
  return ok;
}

/** A JSON array, or one formatted line per network with -f; `Error: No such network: x` for missing ones. */
export async function inspect(
  ctx: CommandContext,
  names: string[],
  flags: { format?: string },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  const template = flags.format ? parseFormat(flags.format).template : undefined;
  const found: unknown[] = [];
  let exitCode = 0;
  for (const name of names) {
    try {
      found.push(await engine.networks.inspect(name));
    } catch (err) {
      if (!isStrataError(err, "NOT_FOUND")) throw err;
      ctx.io.err(`Error: No such network: ${name}\n`);
      exitCode = 1;
    }
  }
  if (template) for (const item of found) ctx.io.out(`${template.execute(item)}\n`);
  else ctx.io.out(`${dockerJson(found)}\n`);
  return { exitCode };
}

const HEADERS = { ID: "NETWORK ID", Name: "NAME", Driver: "DRIVER", Scope: "SCOPE", CreatedAt: "CREATED AT" };

export async function ls(
  ctx: CommandContext,
  flags: { trunc?: boolean; quiet?: boolean; format?: string },
): Promise<CommandResult> {
  const engine = await ctx.engine();
  const list = await engine.networks.list();
  const id = (n: { id: string }) => (flags.trunc === false ? n.id : n.id.slice(0, 12));
  if (flags.quiet) {
    ctx.io.out(list.map((n) => `${id(n)}\n`).join(""));
    return ok;
  }
  const rows = list.map((n) => ({
    ID: id(n),
    Name: n.name,
    Driver: n.driver,
    Scope: n.scope,
    CreatedAt: n.createdAt,
    Internal: String(n.internal),
  }));
  ctx.io.out(renderItems(flags.format ?? "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}", rows, HEADERS));
  return ok;
}

export async function rm(ctx: CommandContext, names: string[]): Promise<CommandResult> {
  const engine = await ctx.engine();
  return eachName(ctx, names, (name) => engine.networks.remove(name).then(() => name));
}

export async function prune(ctx: CommandContext, flags: { force?: boolean }): Promise<CommandResult> {
  const warning = "WARNING! This will remove all custom networks not used by at least one container.";
  if (!flags.force && !(await confirm(ctx, warning))) return ok;
  const removed = await (await ctx.engine()).networks.prune();
  if (removed.length > 0) ctx.io.out(`Deleted Networks:\n${removed.map((n) => `${n}\n`).join("")}`);
  return ok;
}
