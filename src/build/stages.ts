/**
 * Instructions → stages (BuildKit instructions.Parse and dockerfile2llb's
 * stage graph): the ARGs before the first FROM are meta args (usable in FROM
 * lines), each FROM opens a stage (`AS name`), `--target` picks the last one
 * to build, and only the stages it reaches through `FROM <stage>` and
 * `COPY --from=<stage|index>` are built.
 */
import { StrataError } from "../errors.ts";
import { type Instruction, parseInstruction } from "./instructions.ts";
import { type Directives, type Node, parseDockerfile, parseError } from "./parser.ts";
import { lookupEnv, ShellLex } from "./shell-lex.ts";

export type FromInstruction = Extract<Instruction, { kind: "from" }>;

export interface Stage {
  index: number;
  /** `AS name`, lower case. */
  name?: string;
  from: FromInstruction;
  /** The instructions after FROM. */
  steps: Instruction[];
}

export interface Dockerfile {
  directives: Directives;
  metaArgs: { key: string; value?: string }[];
  stages: Stage[];
  warnings: string[];
}

export function parseStages(text: string): Dockerfile {
  const { nodes, directives, warnings } = parseDockerfile(text);
  if (nodes.length === 0) {
    throw new StrataError("INVALID_ARGUMENT", "the Dockerfile cannot be empty", {
      details: { dockerfile: true },
    });
  }
  const metaArgs: { key: string; value?: string }[] = [];
  const stages: Stage[] = [];
  for (const node of nodes) {
    const ins = parseInstruction(node);
    if (ins.kind === "from") {
      if (ins.name && stages.some((s) => s.name === ins.name)) {
        throw parseError(node.startLine, `duplicate stage name "${ins.name}"`);
      }
      stages.push({ index: stages.length, name: ins.name, from: ins, steps: [] });
      continue;
    }
    const current = stages.at(-1);
    if (!current) {
      if (ins.kind !== "arg") throw noStage(node);
      metaArgs.push(...ins.args);
      continue;
    }
    current.steps.push(ins);
  }
  if (stages.length === 0) {
    throw new StrataError("INVALID_ARGUMENT", "dockerfile contains no stages to build", {
      details: { dockerfile: true },
    });
  }
  return { directives, metaArgs, stages, warnings };
}

function noStage(node: Node): StrataError {
  return parseError(node.startLine, "no build stage in current context");
}

/** The meta args' values: defaults, overridden by `--build-arg`, earlier ones usable in later defaults. */
export function metaArgValues(df: Dockerfile, buildArgs: Record<string, string>): string[] {
  const lex = new ShellLex(df.directives.escape);
  const env: string[] = [];
  for (const a of df.metaArgs) {
    let value = buildArgs[a.key];
    if (value === undefined && a.value !== undefined) value = lex.processWord(a.value, env);
    if (value !== undefined) env.unshift(`${a.key}=${value}`);
  }
  return env;
}

/** The stage named or numbered `ref` (COPY --from, FROM), or undefined for an image name. */
export function findStage(stages: Stage[], ref: string, before: number): Stage | undefined {
  const lower = ref.toLowerCase();
  const named = stages.find((s) => s.name === lower && s.index < before);
  if (named) return named;
  if (/^\d+$/.test(ref)) {
    const i = Number(ref);
    if (i < before) return stages[i];
    throw new StrataError(
      "INVALID_ARGUMENT",
      `invalid from flag value ${ref}: refers to current or future build stage`,
    );
  }
  return undefined;
}

export interface Plan {
  /** The stages to build, in Dockerfile order; the last is the target. */
  stages: Stage[];
  target: Stage;
  /** Each stage's FROM, with meta args substituted. */
  baseNames: Map<number, string>;
  /** Which earlier stages each stage needs (its base and its COPY --from sources). */
  deps: Map<number, number[]>;
}

export function plan(
  df: Dockerfile,
  opts: { target?: string; buildArgs?: Record<string, string> } = {},
): Plan {
  const meta = metaArgValues(df, opts.buildArgs ?? {});
  const lex = new ShellLex(df.directives.escape);
  let target = df.stages.at(-1) as Stage;
  if (opts.target) {
    const t = df.stages.find((s) => s.name === opts.target?.toLowerCase());
    if (!t) {
      throw new StrataError("INVALID_ARGUMENT", `target stage ${opts.target} could not be found`, {
        details: { dockerfile: true },
      });
    }
    target = t;
  }
  const baseNames = new Map<number, string>();
  const deps = new Map<number, number[]>();
  for (const s of df.stages) {
    const name = lex.processWord(s.from.image, meta);
    if (name === "") {
      throw parseError(s.from.line, `base name (${s.from.image}) should not be blank`);
    }
    baseNames.set(s.index, name);
    const d: number[] = [];
    const base = findStage(df.stages, name, s.index);
    if (base) d.push(base.index);
    for (const step of s.steps) {
      if ((step.kind === "copy" || step.kind === "add") && step.from !== undefined) {
        const from = lex.processWord(step.from, stageEnvForFrom(meta));
        const src = findStage(df.stages, from, s.index);
        if (src) d.push(src.index);
      }
    }
    deps.set(s.index, d);
  }
  const needed = new Set<number>();
  const visit = (i: number) => {
    if (needed.has(i)) return;
    needed.add(i);
    for (const d of deps.get(i) ?? []) visit(d);
  };
  visit(target.index);
  return {
    stages: df.stages.filter((s) => needed.has(s.index)),
    target,
    baseNames,
    deps,
  };
}

/** COPY --from is expanded with the meta args (as BuildKit's dependency scan does). */
function stageEnvForFrom(meta: string[]): string[] {
  return meta;
}

export { lookupEnv };
