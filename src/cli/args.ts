/**
 * Docker's command-line grammar on node:util's parseArgs: global options,
 * then a command (or a group and a sub-command), then its flags and
 * arguments. Commands that run another program (`run IMAGE CMD…`, `exec`)
 * stop reading flags at their first argument, as Docker's do. Boolean flags
 * also take Docker's `--flag=false` form. parseArgs is part of Node, so
 * parsing costs nothing to load (a full CLI library took ~20 ms of every
 * command's start-up here).
 */
import { parseArgs } from "node:util";
import { StrataError } from "../errors.ts";

export interface FlagSpec {
  long: string;
  short?: string;
  /** Takes a value (string); flags without one are booleans. */
  value?: string;
  multiple?: boolean;
  default?: string | boolean;
  /** `--no-trunc` style: sets `key` to false. */
  negates?: string;
  help: string;
}

export interface CommandSpec {
  name: string;
  aliases?: string[];
  summary: string;
  /** `<name>` required, `[name]` optional, `…` suffix for the rest. */
  args: string[];
  flags: FlagSpec[];
  /** Flags stop at the first argument (`run IMAGE sh -c …`). */
  stopAtArgument?: boolean;
  hidden?: boolean;
  load: () => Promise<Record<string, unknown>>;
  /** The module's export to call; `run` by default. */
  action?: string;
}

export interface GroupSpec {
  name: string;
  summary: string;
  commands: CommandSpec[];
}

/** A usage error: Docker exits 125 for a bad flag, 1 for bad arguments. */
export class UsageError extends StrataError {
  constructor(message: string, exitCode: number) {
    super("INVALID_ARGUMENT", message, { details: { exitCode } });
  }
}

const camel = (s: string) => s.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

export function flagKey(f: FlagSpec): string {
  return f.negates ?? camel(f.long);
}

/** Where the flags end: at the first argument, for commands that pass the rest on. */
function flagsEnd(args: string[], spec: CommandSpec): number {
  if (!spec.stopAtArgument) return args.length;
  const takesValue = (token: string): boolean => {
    if (token.startsWith("--")) {
      if (token.includes("=")) return false;
      return spec.flags.some((f) => f.long === token.slice(2) && f.value !== undefined);
    }
    // A short group (-it, -e) takes the next token when its last letter needs a value.
    const last = token.at(-1);
    return spec.flags.some((f) => f.short === last && f.value !== undefined);
  };
  for (let i = 0; i < args.length; i++) {
    const token = args[i] as string;
    if (token === "--") return i;
    if (!token.startsWith("-") || token === "-") return i;
    if (takesValue(token)) i++;
  }
  return args.length;
}

/** Docker's bool flags accept `--flag=false`; parseArgs' booleans take no value. */
function explicitBooleans(args: string[], spec: CommandSpec, values: Record<string, unknown>): string[] {
  return args.filter((token) => {
    const m = /^--?([^=]+)=(true|false|1|0)$/.exec(token);
    const name = m?.[1];
    const flag =
      name && spec.flags.find((f) => (f.long === name || f.short === name) && f.value === undefined);
    if (!flag || !m) return true;
    values[flagKey(flag)] = m[2] === "true" || m[2] === "1";
    return false;
  });
}

function parseError(err: unknown, display: string): never {
  const code = (err as { code?: string }).code;
  const text = (err as Error).message;
  let message = text;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(text)?.[1] ?? text;
    message = flag.startsWith("--")
      ? `unknown flag: ${flag}`
      : `unknown shorthand flag: '${flag.slice(1)}' in ${flag}`;
  } else if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const flag = /--[\w-]+/.exec(text)?.[0];
    message = flag ? `flag needs an argument: ${flag}` : text;
  }
  throw new UsageError(`${message}\nSee '${display} --help'.`, 125);
}

export interface Parsed {
  positionals: Array<string | string[] | undefined>;
  flags: Record<string, unknown>;
  help: boolean;
}

function checkCount(spec: CommandSpec, got: number, display: string): void {
  const required = spec.args.filter((a) => a.startsWith("<")).length;
  const rest = spec.args.some((a) => a.endsWith("...>") || a.endsWith("...]"));
  const max = rest ? Number.POSITIVE_INFINITY : spec.args.length;
  if (got >= required && got <= max) return;
  if (max === 0) throw new UsageError(`"${display}" accepts no arguments.\nSee '${display} --help'.`, 1);
  const n = (k: number) => `${k} argument${k === 1 ? "" : "s"}`;
  const what =
    required === max
      ? `exactly ${n(required)}`
      : got < required
        ? `at least ${n(required)}`
        : `at most ${n(max)}`;
  throw new UsageError(`"${display}" requires ${what}.\nSee '${display} --help'.`, 1);
}

/**
 * pflag gives a value flag the next token even when it starts with `-`
 * (`--memory-swap -1`, `--pids-limit -1`); parseArgs refuses that, so a
 * negative number after a value flag is joined to it (`--memory-swap=-1`).
 */
function negativeValues(args: string[], spec: CommandSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i] as string;
    const next = args[i + 1];
    const flag = token.startsWith("--")
      ? spec.flags.find((f) => f.long === token.slice(2))
      : /^-[a-zA-Z]$/.test(token)
        ? spec.flags.find((f) => f.short === token.slice(1))
        : undefined;
    if (flag?.value !== undefined && next !== undefined && /^-\d/.test(next)) {
      out.push(`--${flag.long}=${next}`);
      i++;
    } else out.push(token);
  }
  return out;
}

/** Parses a command's own arguments (everything after its name). */
export function parseCommand(spec: CommandSpec, args: string[], display: string): Parsed {
  const end = flagsEnd(args, spec);
  const flags: Record<string, unknown> = {};
  const head = explicitBooleans(negativeValues(args.slice(0, end), spec), spec, flags);
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {
    help: { type: "boolean" },
  };
  for (const f of spec.flags) {
    // parseArgs rejects keys present with undefined values.
    const o: (typeof options)[string] = { type: f.value === undefined ? "boolean" : "string" };
    if (f.short) o.short = f.short;
    if (f.multiple) o.multiple = true;
    options[f.long] = o;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: head, options, strict: true, allowPositionals: true });
  } catch (err) {
    parseError(err, display);
  }
  let rest = args.slice(end);
  if (rest[0] === "--" && spec.stopAtArgument) rest = rest.slice(1);
  const positionals = [...parsed.positionals, ...rest];
  const help = parsed.values.help === true;
  for (const f of spec.flags) {
    const v = parsed.values[f.long];
    const key = flagKey(f);
    if (v !== undefined) flags[key] = f.negates ? false : v;
    else if (flags[key] === undefined && f.default !== undefined) flags[key] = f.default;
    else if (flags[key] === undefined && f.multiple) flags[key] = [];
  }
  if (!help) checkCount(spec, positionals.length, display);
  return { positionals: shape(spec, positionals), flags, help };
}

/** Positionals as the command's parameters: one value each, the last `…` one an array. */
function shape(spec: CommandSpec, values: string[]): Parsed["positionals"] {
  return spec.args.map((a, i) => (a.endsWith("...>") || a.endsWith("...]") ? values.slice(i) : values[i]));
}
