/**
 * `commit --change`: Dockerfile instructions applied to a container's config
 * as moby's dockerfile.BuildFromConfig does for POST /commit: the changes are
 * parsed as one Dockerfile (so `--change 'ENV A=1'` reads as its
 * Dockerfile line would), only the config-only instructions Docker accepts
 * are allowed, and each is dispatched with the build's own rules (variable
 * substitution from the config's Env, ENTRYPOINT clearing a CMD not set by
 * the same changes, WORKDIR relative to the current one).
 */
import { StrataError } from "../errors.ts";
import { type DispatchContext, resolveMeta, workdirPath } from "./dispatch.ts";
import { parseInstruction } from "./instructions.ts";
import { parseDockerfile } from "./parser.ts";
import { ShellLex } from "./shell-lex.ts";
import type { Json, StageState } from "./state.ts";

/** moby's validCommitCommands. */
const VALID = new Set([
  "cmd",
  "entrypoint",
  "healthcheck",
  "env",
  "expose",
  "label",
  "onbuild",
  "stopsignal",
  "user",
  "volume",
  "workdir",
]);

/** Refuses what Docker refuses (run on an empty config), before anything is committed. */
export function checkChanges(changes: readonly string[]): void {
  applyChanges({}, changes);
}

/** Docker's daemon reports these, so its CLI prefixes them. */
function asDaemon(err: unknown): unknown {
  if (err instanceof StrataError && err.code === "INVALID_ARGUMENT") {
    return new StrataError(err.code, err.message, { cause: err, details: { ...err.details, daemon: true } });
  }
  return err;
}

/** `config` (Docker's container Config) with `changes` applied; the input is not modified. */
export function applyChanges(config: Json, changes: readonly string[]): Json {
  if (changes.length === 0) return config;
  try {
    return dispatchChanges(config, changes);
  } catch (err) {
    throw asDaemon(err);
  }
}

function dispatchChanges(config: Json, changes: readonly string[]): Json {
  const df = parseDockerfile(changes.join("\n"));
  for (const node of df.nodes) {
    if (!VALID.has(node.cmd)) {
      throw new StrataError("INVALID_ARGUMENT", `${node.cmd} is not a valid change command`);
    }
  }
  const state: StageState = {
    architecture: "",
    os: "",
    config: { ...config },
    history: [],
    diffIds: [],
    chain: [],
    args: [],
    cmdSet: false,
  };
  const lex = new ShellLex(df.directives.escape);
  const ctx: DispatchContext = { lex, buildArgs: {}, metaEnv: [] };
  for (const node of df.nodes) {
    const ins = parseInstruction(node);
    if (ins.kind === "workdir") state.config.WorkingDir = workdirPath(ins, state, lex);
    else resolveMeta(ins, state, ctx).apply(state, "");
  }
  // BuildKit marks its CMD/ENTRYPOINT ArgsEscaped; moby's commit path does not on Linux.
  if (config.ArgsEscaped) state.config.ArgsEscaped = config.ArgsEscaped;
  else delete state.config.ArgsEscaped;
  return state.config;
}
