/**
 * strata's command line: global options, dispatch, and exit codes. Each
 * command's code is imported only when it runs, so start-up stays small.
 */
import type { Engine } from "../engine.ts";
import { type CommandSpec, type GroupSpec, parseCommand, UsageError } from "./args.ts";
import type { CommandContext, CommandResult } from "./context.ts";
import { renderError } from "./errors.ts";
import { commandHelp, mainHelp } from "./help.ts";
import { processIo } from "./io.ts";
import { GROUPS, TOP_LEVEL } from "./table.ts";

type Action = (ctx: CommandContext, ...args: unknown[]) => Promise<CommandResult>;

let engine: Engine | undefined;

function context(root: string | undefined): CommandContext {
  return {
    io: processIo,
    engine: async () => {
      if (!engine) {
        const { Engine } = await import("../engine.ts");
        engine = new Engine({ root });
      }
      return engine;
    },
  };
}

interface Globals {
  root?: string;
  version?: boolean;
  help?: boolean;
  rest: string[];
}

/** Options before the command: --root DIR, -v/--version, -h/--help. */
function globals(argv: string[]): Globals {
  const g: Globals = { rest: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith("-")) break;
    if (a === "--root") g.root = argv[++i];
    else if (a.startsWith("--root=")) g.root = a.slice(7);
    else if (a === "-v" || a === "--version") g.version = true;
    else if (a === "-h" || a === "--help") g.help = true;
    else throw new UsageError(`unknown flag: ${a}\nSee 'strata --help'.`, 125);
  }
  g.rest = argv.slice(i);
  return g;
}

const find = (list: CommandSpec[], name: string) =>
  list.find((c) => c.name === name || c.aliases?.includes(name));

function resolve(
  args: string[],
): { spec: CommandSpec; display: string; rest: string[] } | { group: GroupSpec } {
  const [name = "", sub, ...rest] = args;
  const group = GROUPS.find((g) => g.name === name);
  if (group) {
    const spec = sub === undefined || sub.startsWith("-") ? undefined : find(group.commands, sub);
    if (!spec) {
      if (sub === undefined || sub === "--help" || sub === "-h") return { group };
      throw new UsageError(
        `strata ${name}: '${sub}' is not a strata command.\nSee 'strata ${name} --help'`,
        1,
      );
    }
    return { spec, display: `strata ${name} ${spec.name}`, rest };
  }
  const spec = find(TOP_LEVEL, name);
  if (!spec) throw new UsageError(`strata: '${name}' is not a strata command.\nSee 'strata --help'`, 1);
  return { spec, display: `strata ${spec.name}`, rest: args.slice(1) };
}

async function dispatch(argv: string[]): Promise<number> {
  const g = globals(argv);
  if (g.version) {
    processIo.out(`strata version ${process.env.STRATA_VERSION ?? "0.1.0"}\n`);
    return 0;
  }
  if (g.help || g.rest.length === 0) {
    processIo.out(mainHelp());
    return 0;
  }
  const target = resolve(g.rest);
  if ("group" in target) {
    processIo.out(mainHelp(target.group));
    return 0;
  }
  const parsed = parseCommand(target.spec, target.rest, target.display);
  if (parsed.help) {
    processIo.out(commandHelp(target.spec, target.display));
    return 0;
  }
  const module = await target.spec.load();
  const action = module[target.spec.action ?? "run"] as Action;
  const result = await action(context(g.root), ...parsed.positionals, parsed.flags);
  return result.exitCode;
}

async function main(): Promise<void> {
  let exitCode: number;
  try {
    exitCode = await dispatch(process.argv.slice(2));
  } catch (err) {
    // Usage errors read as Docker's do, without an `Error:` prefix.
    const rendered =
      err instanceof UsageError
        ? { message: err.message, exitCode: Number(err.details.exitCode) }
        : renderError(err);
    process.stderr.write(`${rendered.message}\n`);
    exitCode = rendered.exitCode;
  } finally {
    await engine?.close().catch(() => {});
  }
  process.exitCode = exitCode;
}

void main();
