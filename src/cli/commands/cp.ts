import { resolve } from "node:path";
import { StrataError } from "../../errors.ts";
import { refuseTerminal, writeArchive } from "../archive-out.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";

export interface CpFlags {
  archive?: boolean;
  followLink?: boolean;
}

/** docker/cli splitCpArg: an absolute path or `./x:y` is local; otherwise `container:path`. */
function split(arg: string): { container?: string; path: string } {
  if (arg.startsWith("/")) return { path: arg };
  const colon = arg.indexOf(":");
  if (colon < 0 || arg.startsWith(".")) return { path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

/** A local path made absolute, keeping the trailing `/` or `/.` that Docker's rules read. */
function local(path: string): string {
  const abs = resolve(path);
  if (path.endsWith("/.")) return `${abs}/.`;
  if (path.endsWith("/") && abs !== "/") return `${abs}/`;
  return abs;
}

/** Streams to stdout; a reader that went away (`| head`) ends the command quietly, as Go's CLI. */

const usage = (message: string) => new StrataError("INVALID_ARGUMENT", message, { details: { plain: true } });

export async function run(
  ctx: CommandContext,
  src: string,
  dest: string,
  flags: CpFlags,
): Promise<CommandResult> {
  const from = split(src);
  const to = split(dest);
  if (from.container !== undefined && to.container !== undefined) {
    throw usage("copying between containers is not supported");
  }
  if (from.container === undefined && to.container === undefined) {
    throw usage("must specify at least one container source");
  }
  if (from.container === "" || to.container === "") throw usage("must specify at least one container source");
  const engine = await ctx.engine();
  if (from.container !== undefined) {
    if (to.path === "-") {
      const { stream } = await engine.containers.archive(from.container, from.path, {
        followLink: flags.followLink,
      });
      await writeArchive(stream);
      return ok;
    }
    await engine.containers.copyFrom(from.container, from.path, local(to.path), {
      followLink: flags.followLink,
    });
    return ok;
  }
  const container = to.container as string;
  if (from.path === "-") {
    await engine.containers.putArchive(container, to.path, process.stdin, { keepOwners: flags.archive });
    return ok;
  }
  await engine.containers.copyTo(container, local(from.path), to.path, {
    followLink: flags.followLink,
    keepOwners: flags.archive,
  });
  return ok;
}

/** `export [-o FILE] CONTAINER`: the container's file system as a tar; never to a terminal, as Docker. */
export async function exportContainer(
  ctx: CommandContext,
  name: string,
  flags: { output?: string },
): Promise<CommandResult> {
  refuseTerminal(flags.output);
  const engine = await ctx.engine();
  await writeArchive(await engine.containers.export(name), flags.output);
  return ok;
}
