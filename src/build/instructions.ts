/**
 * Nodes → typed instructions (BuildKit frontend/dockerfile/instructions):
 * every instruction's flags and arguments checked and named, before any
 * variable is substituted (that happens per step, with the stage's env).
 */
import { StrataError } from "../errors.ts";
import { type Heredoc, type Node, parseError } from "./parser.ts";

interface Base {
  line: number;
  /** The instruction's text as written, for progress (`RUN echo hi`). */
  text: string;
}

export type NetworkFlag = "default" | "none" | "host";

export type Instruction =
  | (Base & { kind: "from"; image: string; name?: string; platform?: string })
  | (Base & { kind: "run"; args: string[]; json: boolean; heredocs: Heredoc[]; network?: NetworkFlag })
  | (Base & { kind: "cmd" | "entrypoint" | "shell"; args: string[]; json: boolean })
  | (Base & {
      kind: "copy" | "add";
      sources: string[];
      dest: string;
      from?: string;
      chown?: string;
      chmod?: string;
      link: boolean;
      heredocs: Heredoc[];
    })
  | (Base & { kind: "env" | "label"; pairs: [string, string][] })
  | (Base & { kind: "arg"; args: { key: string; value?: string }[] })
  | (Base & { kind: "workdir"; path: string })
  | (Base & { kind: "user"; user: string })
  | (Base & { kind: "expose"; ports: string[] })
  | (Base & { kind: "volume"; paths: string[] })
  | (Base & { kind: "stopsignal"; signal: string })
  | (Base & { kind: "maintainer"; name: string })
  | (Base & { kind: "onbuild"; expression: string })
  | (Base & {
      kind: "healthcheck";
      /** null for HEALTHCHECK NONE. */
      test: string[] | null;
      interval: number;
      timeout: number;
      startPeriod: number;
      retries: number;
    });

type FlagKind = "string" | "bool";

/** BuildKit's BFlags: `--name=value` (or `--name` for booleans); unknown flags are refused. */
function parseFlags(node: Node, allowed: Record<string, FlagKind>): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of node.flags) {
    const body = raw.slice(2);
    const eq = body.indexOf("=");
    const name = eq < 0 ? body : body.slice(0, eq);
    const kind = allowed[name];
    if (!kind) throw parseError(node.startLine, `Unknown flag: ${name}`);
    if (out.has(name)) throw parseError(node.startLine, `Duplicate flag specified: ${name}`);
    if (kind === "bool") {
      const v = eq < 0 ? "true" : body.slice(eq + 1).toLowerCase();
      if (v !== "true" && v !== "false") {
        throw parseError(
          node.startLine,
          `expecting boolean value for flag ${name}, not: ${body.slice(eq + 1)}`,
        );
      }
      out.set(name, v);
    } else {
      if (eq < 0) throw parseError(node.startLine, `Missing a value on flag: ${name}`);
      out.set(name, body.slice(eq + 1));
    }
  }
  return out;
}

const upper = (node: Node) => node.cmd.toUpperCase();

function atLeastOne(node: Node): void {
  if (node.args.length === 0)
    throw parseError(node.startLine, `${upper(node)} requires at least one argument`);
}

function exactlyOne(node: Node): string {
  if (node.args.length !== 1)
    throw parseError(node.startLine, `${upper(node)} requires exactly one argument`);
  return node.args[0] as string;
}

/** Go's time.ParseDuration for the forms Dockerfiles use (`30s`, `1m30s`, `500ms`). */
export function parseDuration(text: string, node: Node, flag: string): number {
  if (text === "0") return 0;
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw parseError(node.startLine, `time: invalid duration "${text}"`);
    total += Number(m[1]) * (units[m[2] as string] as number);
    pos = re.lastIndex;
  }
  if (text === "") throw parseError(node.startLine, `time: invalid duration "${text}"`);
  const ns = Math.round(total);
  if (ns !== 0 && ns < 1e6) throw parseError(node.startLine, `Interval "${flag}" cannot be less than 1ms`);
  return ns;
}

function text(node: Node): string {
  return node.original.toUpperCase();
}

function parseFrom(node: Node, base: Base): Instruction {
  const flags = parseFlags(node, { platform: "string" });
  const a = node.args;
  if (!(a.length === 1 || (a.length === 3 && (a[1] as string).toLowerCase() === "as"))) {
    throw parseError(node.startLine, "FROM requires either one or three arguments");
  }
  let name: string | undefined;
  if (a.length === 3) {
    name = (a[2] as string).toLowerCase();
    if (!/^[a-z][a-z0-9\-_.]*$/.test(name)) {
      throw parseError(
        node.startLine,
        `invalid name for build stage: "${a[2]}", name can't start with a number or contain symbols`,
      );
    }
  }
  return { ...base, kind: "from", image: a[0] as string, name, platform: flags.get("platform") };
}

function parseCopy(node: Node, base: Base, kind: "copy" | "add"): Instruction {
  const allowed: Record<string, FlagKind> =
    kind === "copy"
      ? { from: "string", chown: "string", chmod: "string", link: "bool" }
      : { chown: "string", chmod: "string", link: "bool", checksum: "string" };
  const flags = parseFlags(node, allowed);
  if (node.args.length < 2)
    throw parseError(node.startLine, `${upper(node)} requires at least two arguments`);
  if (flags.has("checksum")) throw parseError(node.startLine, "ADD --checksum is not supported");
  const chmod = flags.get("chmod");
  if (chmod !== undefined && !/^[0-7]{1,4}$/.test(chmod)) {
    throw parseError(node.startLine, `invalid chmod parameter: ${chmod}`);
  }
  return {
    ...base,
    kind,
    sources: node.args.slice(0, -1),
    dest: node.args.at(-1) as string,
    from: flags.get("from"),
    chown: flags.get("chown"),
    chmod,
    link: flags.get("link") === "true",
    heredocs: node.heredocs,
  };
}

function parseHealthcheck(node: Node, base: Base): Instruction {
  const flags = parseFlags(node, {
    interval: "string",
    timeout: "string",
    "start-period": "string",
    retries: "string",
  });
  atLeastOne(node);
  const args = node.args;
  const duration = (name: string) => {
    const v = flags.get(name);
    return v === undefined ? 0 : parseDuration(v, node, name);
  };
  if (args[0] === "NONE") {
    if (args.length > 1 || flags.size > 0) {
      throw parseError(node.startLine, "HEALTHCHECK NONE takes no arguments");
    }
    return { ...base, kind: "healthcheck", test: null, interval: 0, timeout: 0, startPeriod: 0, retries: 0 };
  }
  const cmd = args.slice(1);
  if (cmd.length === 0) throw parseError(node.startLine, "Missing command after HEALTHCHECK CMD");
  const test = node.json ? ["CMD", ...cmd] : ["CMD-SHELL", cmd.join(" ")];
  const retriesText = flags.get("retries");
  let retries = 0;
  if (retriesText !== undefined) {
    if (!/^-?\d+$/.test(retriesText))
      throw parseError(node.startLine, `strconv.ParseInt: parsing "${retriesText}": invalid syntax`);
    retries = Number(retriesText);
    if (retries < 1) throw parseError(node.startLine, `--retries cannot be 0 or negative (${retries})`);
  }
  return {
    ...base,
    kind: "healthcheck",
    test,
    interval: duration("interval"),
    timeout: duration("timeout"),
    startPeriod: duration("start-period"),
    retries,
  };
}

function pairs(args: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < args.length; i += 2) out.push([args[i] as string, args[i + 1] as string]);
  return out;
}

export function parseInstruction(node: Node): Instruction {
  const base: Base = { line: node.startLine, text: instructionText(node) };
  const noFlags = () => parseFlags(node, {});
  switch (node.cmd) {
    case "from":
      return parseFrom(node, base);
    case "run": {
      const flags = parseFlags(node, { network: "string", mount: "string", security: "string" });
      if (flags.has("mount")) throw parseError(node.startLine, "RUN --mount is not supported by strata");
      if (flags.has("security"))
        throw parseError(node.startLine, "RUN --security is not supported by strata");
      const network = flags.get("network");
      if (network !== undefined && network !== "default" && network !== "none" && network !== "host") {
        throw parseError(node.startLine, `unsupported network mode ${network}`);
      }
      atLeastOne(node);
      return { ...base, kind: "run", args: node.args, json: node.json, heredocs: node.heredocs, network };
    }
    case "cmd":
    case "entrypoint":
      noFlags();
      return { ...base, kind: node.cmd, args: node.args, json: node.json };
    case "shell":
      noFlags();
      atLeastOne(node);
      if (!node.json) throw parseError(node.startLine, "SHELL requires the arguments to be in JSON form");
      return { ...base, kind: "shell", args: node.args, json: true };
    case "copy":
    case "add":
      return parseCopy(node, base, node.cmd);
    case "env":
    case "label":
      noFlags();
      if (node.args.length === 0)
        throw parseError(node.startLine, `${upper(node)} requires at least one argument`);
      return { ...base, kind: node.cmd, pairs: pairs(node.args) };
    case "arg": {
      noFlags();
      atLeastOne(node);
      const args = node.args.map((w) => {
        const eq = w.indexOf("=");
        return eq < 0 ? { key: w } : { key: w.slice(0, eq), value: w.slice(eq + 1) };
      });
      for (const a of args) if (a.key === "") throw parseError(node.startLine, "ARG names can not be blank");
      return { ...base, kind: "arg", args };
    }
    case "workdir":
      noFlags();
      return { ...base, kind: "workdir", path: exactlyOne(node) };
    case "user":
      noFlags();
      return { ...base, kind: "user", user: exactlyOne(node) };
    case "expose":
      noFlags();
      atLeastOne(node);
      return { ...base, kind: "expose", ports: node.args };
    case "volume":
      noFlags();
      atLeastOne(node);
      for (const p of node.args) {
        if (p.trim() === "") throw parseError(node.startLine, "VOLUME specified can not be an empty string");
      }
      return { ...base, kind: "volume", paths: node.args };
    case "stopsignal":
      noFlags();
      return { ...base, kind: "stopsignal", signal: exactlyOne(node) };
    case "maintainer":
      noFlags();
      return { ...base, kind: "maintainer", name: exactlyOne(node) };
    case "healthcheck":
      return parseHealthcheck(node, base);
    case "onbuild": {
      noFlags();
      const inner = node.next;
      if (!inner) throw parseError(node.startLine, "ONBUILD requires at least one argument");
      // The trigger must itself be a valid instruction.
      parseInstruction(inner);
      return { ...base, kind: "onbuild", expression: node.args[0] as string };
    }
    default:
      throw new StrataError("INTERNAL", `no typed form for ${node.cmd}`);
  }
}

/** The instruction as BuildKit names its step: upper-case keyword, flags, arguments as written. */
function instructionText(node: Node): string {
  const parts = [text(node), ...node.flags];
  if (node.cmd === "onbuild") return [...parts, node.args[0]].join(" ");
  if (node.json) return [...parts, JSON.stringify(node.args).replace(/","/g, '", "')].join(" ");
  if (node.cmd === "env" || node.cmd === "label") {
    const words: string[] = [];
    for (let i = 0; i + 1 < node.args.length; i += 2) words.push(`${node.args[i]}=${node.args[i + 1]}`);
    return [...parts, ...words].join(" ");
  }
  if (node.cmd === "healthcheck") return [...parts, ...node.args].join(" ");
  return [...parts, ...node.args].join(" ");
}
