/** `inspect` / `image inspect`: a JSON array, or one formatted line per object with -f. */
import { isStrataError, StrataError } from "../../errors.ts";
import { parseFormat } from "../../format/index.ts";
import type { CommandContext, CommandResult } from "../context.ts";

export interface InspectFlags {
  format?: string;
  type?: string;
  size?: boolean;
}

/** encoding/json's MarshalIndent with 4 spaces and HTML escaping, as Docker prints. */
export function dockerJson(value: unknown): string {
  return JSON.stringify(value, null, 4)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026");
}

type Kind = "container" | "image" | "volume";

/** Docker's order without --type: containers, images, then volumes. */
function kinds(type: string | undefined): Kind[] {
  if (type === undefined) return ["container", "image", "volume"];
  if (type === "container" || type === "image" || type === "volume") return [type];
  throw new StrataError("INVALID_ARGUMENT", `"${type}" is not a valid value for --type`);
}

async function inspectAll(
  ctx: CommandContext,
  names: string[],
  flags: InspectFlags,
  types: Kind[],
): Promise<CommandResult> {
  const engine = await ctx.engine();
  const template = flags.format ? parseFormat(flags.format).template : undefined;
  const found: unknown[] = [];
  let exitCode = 0;
  for (const name of names) {
    let item: unknown;
    for (const kind of types) {
      try {
        item =
          kind === "container"
            ? await engine.containers.inspect(name, { size: flags.size })
            : kind === "image"
              ? await engine.images.inspect(name)
              : engine.volumes.inspect(name);
        break;
      } catch (err) {
        if (!isStrataError(err, "NOT_FOUND")) throw err;
      }
    }
    if (item === undefined) {
      exitCode = 1;
      // Docker prints the found objects, then `Error: No such …: x` (as typed) for each missing one.
      const what = types.length > 1 ? "object" : types[0];
      ctx.io.err(`Error: No such ${what}: ${name}\n`);
    } else {
      found.push(item);
    }
  }
  if (template) for (const item of found) ctx.io.out(`${template.execute(item)}\n`);
  else ctx.io.out(`${dockerJson(found)}\n`);
  return { exitCode };
}

/** `inspect`: containers or images. */
export function run(ctx: CommandContext, names: string[], flags: InspectFlags): Promise<CommandResult> {
  return inspectAll(ctx, names, flags, kinds(flags.type));
}

/** `image inspect`. */
export function images(ctx: CommandContext, names: string[], flags: InspectFlags): Promise<CommandResult> {
  return inspectAll(ctx, names, flags, ["image"]);
}

/** `container inspect`. */
export function containers(
  ctx: CommandContext,
  names: string[],
  flags: InspectFlags,
): Promise<CommandResult> {
  return inspectAll(ctx, names, flags, ["container"]);
}
