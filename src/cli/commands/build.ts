/**
 * `build [OPTIONS] PATH | -`: a Dockerfile and its context → an image, with
 * BuildKit's progress on stderr (`--progress auto|plain|tty|quiet`), or only
 * the image ID with `-q`.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, isAbsolute, join, resolve } from "node:path";
import type { BuildEvent } from "../../build/index.ts";
import { StrataError } from "../../errors.ts";
import { parseNormalizedNamed, parseReference } from "../../reference/index.ts";
import { tty } from "../../sys/builtins.ts";
import { UsageError } from "../args.ts";
import { PlainProgress, TtyProgress } from "../build-progress.ts";
import type { CommandContext, CommandResult } from "../context.ts";

export interface BuildFlags {
  tag?: string[];
  file?: string;
  buildArg?: string[];
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  quiet?: boolean;
  label?: string[];
  network?: string;
  iidfile?: string;
  progress?: string;
}

function readStdin(): string {
  return readFileSync(0, "utf8");
}

/** `K=V`, or `K` alone: the value from this process's environment, skipped when unset (as Docker). */
function keyValues(list: string[] | undefined, fromEnv: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf("=");
    if (eq >= 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    else if (fromEnv && process.env[item] !== undefined) out[item] = process.env[item] as string;
    else if (!fromEnv) out[item] = "";
  }
  return out;
}

function dockerfileSource(
  path: string,
  flags: BuildFlags,
): { context: string | null; text: string; name: string } {
  if (path === "-") {
    if (flags.file && flags.file !== "-") {
      throw new StrataError(
        "INVALID_ARGUMENT",
        "unable to prepare context: DockerfileName must be - when the context is read from stdin",
      );
    }
    return { context: null, text: readStdin(), name: "Dockerfile" };
  }
  const context = resolve(path);
  if (!existsSync(context)) {
    throw new StrataError("INVALID_ARGUMENT", `unable to prepare context: path "${path}" not found`);
  }
  if (!statSync(context).isDirectory()) {
    throw new StrataError(
      "INVALID_ARGUMENT",
      `unable to prepare context: context must be a directory: ${context}`,
    );
  }
  if (flags.file === "-") return { context, text: readStdin(), name: "Dockerfile" };
  const file = flags.file ? resolve(flags.file) : join(context, "Dockerfile");
  if (!existsSync(file)) {
    const shown = flags.file ? (isAbsolute(flags.file) ? flags.file : file) : file;
    throw new StrataError(
      "INVALID_ARGUMENT",
      `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${shown}: no such file or directory`,
    );
  }
  // Docker's CLI sends the Dockerfile under its base name: that is what BuildKit shows.
  return { context, text: readFileSync(file, "utf8"), name: basename(file) };
}

export async function run(ctx: CommandContext, path: string, flags: BuildFlags): Promise<CommandResult> {
  const mode = flags.quiet ? "quiet" : (flags.progress ?? "auto");
  if (!["auto", "plain", "tty", "quiet"].includes(mode)) {
    throw new StrataError("INVALID_ARGUMENT", `invalid progress mode ${mode}`);
  }
  const network = flags.network ?? "default";
  if (network !== "default" && network !== "host" && network !== "none") {
    throw new StrataError("INVALID_ARGUMENT", `network mode "${network}" not supported by buildkit`, {
      details: { build: true },
    });
  }
  // Tags are checked before anything runs, as Docker's CLI checks its -t values.
  for (const t of flags.tag ?? []) {
    try {
      if (parseNormalizedNamed(t).digest) throw new Error("invalid reference format");
      parseReference(t);
    } catch (err) {
      throw new UsageError(
        `invalid argument "${t}" for "-t, --tag" flag: ${(err as Error).message}\nSee 'strata build --help'.`,
        125,
      );
    }
  }
  const src = dockerfileSource(path, flags);
  const errWrite = (s: string) => ctx.io.err(s);
  const useTty = mode === "tty" || (mode === "auto" && tty().isatty(2));
  const view =
    mode === "quiet"
      ? undefined
      : useTty
        ? new TtyProgress(errWrite, process.stderr.columns ?? 80)
        : new PlainProgress(errWrite);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const engine = await ctx.engine();
  try {
    const result = await engine.images.build({
      context: src.context,
      dockerfile: src.text,
      dockerfileName: src.name,
      tags: flags.tag,
      buildArgs: keyValues(flags.buildArg, true),
      target: flags.target,
      noCache: flags.noCache,
      pull: flags.pull,
      labels: keyValues(flags.label, false),
      network,
      signal: controller.signal,
      onProgress: view ? (e: BuildEvent) => view.handle(e) : undefined,
    });
    if (view instanceof TtyProgress) view.finish();
    if (flags.iidfile) writeFileSync(flags.iidfile, result.imageId);
    if (mode === "quiet") ctx.io.out(`${result.imageId}\n`);
    return { exitCode: 0 };
  } catch (err) {
    view?.finishError();
    if (controller.signal.aborted) {
      throw new StrataError("ABORTED", "context canceled", { details: { build: true } });
    }
    throw err;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
