/**
 * The instructions that only change the image config (BuildKit's dispatchEnv,
 * dispatchLabel, dispatchArg, dispatchCmd …): substituted as Docker does,
 * written into the config, and recorded in history with Docker's own
 * created_by text (`ENV K=V`, `CMD ["a" "b"]`, `EXPOSE map[80/tcp:{}]`).
 */
import { posix } from "node:path";
import { StrataError } from "../errors.ts";
import type { Instruction } from "./instructions.ts";
import type { ShellLex } from "./shell-lex.ts";
import {
  buildEnv,
  configEnv,
  goQuote,
  goQuoteList,
  HISTORY_COMMENT,
  type Json,
  type StageState,
  setEnv,
} from "./state.ts";

export interface DispatchContext {
  lex: ShellLex;
  buildArgs: Record<string, string>;
  /** Meta args (before the first FROM) with their values. */
  metaEnv: string[];
}

/** A resolved instruction: what its cache key covers, and how it changes the state. */
export interface Resolved {
  payload: unknown;
  description: string;
  apply(state: StageState, created: string): void;
}

const DEFAULT_SHELL = ["/bin/sh", "-c"];

export function shellOf(state: StageState): string[] {
  return (state.config.Shell as string[] | undefined) ?? DEFAULT_SHELL;
}

export function history(state: StageState, created: string, createdBy: string, emptyLayer: boolean): void {
  const h: StageState["history"][number] = { created, created_by: createdBy, comment: HISTORY_COMMENT };
  if (emptyLayer) h.empty_layer = true;
  state.history.push(h);
}

/** Go's nat.ParsePortSpec forms EXPOSE takes: `80`, `80/udp`, `8000-8002/tcp`. */
function exposedPorts(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/([a-zA-Z]+))?$/.exec(spec);
  if (!m) throw new StrataError("INVALID_ARGUMENT", `Invalid containerPort: ${spec.split("/")[0]}`);
  const proto = (m[3] ?? "tcp").toLowerCase();
  const start = Number(m[1]);
  const end = m[2] ? Number(m[2]) : start;
  if (end < start) throw new StrataError("INVALID_ARGUMENT", `Invalid range specified for the Port: ${spec}`);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto}`);
  return out;
}

function goDuration(ns: number): string {
  if (ns === 0) return "0s";
  const s = ns / 1e9;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Number((s % 60).toFixed(9)).toString();
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${sec}s`;
}

const SIGNALS = /^(SIG)?[A-Z0-9+-]+$|^\d+$/;

export function resolveMeta(ins: Instruction, state: StageState, ctx: DispatchContext): Resolved {
  const env = buildEnv(state);
  const word = (w: string) => ctx.lex.processWord(w, env);
  switch (ins.kind) {
    case "env": {
      const pairs = ins.pairs.map(([k, v]) => [word(k), word(v)] as const);
      const text = `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(" ")}`;
      return {
        payload: pairs,
        description: text,
        apply(s, created) {
          let e = configEnv(s);
          for (const [k, v] of pairs) e = setEnv(e, k, v);
          s.config.Env = e;
          history(s, created, text, true);
        },
      };
    }
    case "label": {
      const pairs = ins.pairs.map(([k, v]) => [word(k), word(v)] as const);
      const text = `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(" ")}`;
      return {
        payload: pairs,
        description: text,
        apply(s, created) {
          const labels = { ...((s.config.Labels as Record<string, string> | null) ?? {}) };
          for (const [k, v] of pairs) labels[k] = v;
          s.config.Labels = labels;
          history(s, created, text, true);
        },
      };
    }
    case "arg": {
      const resolved = ins.args.map((a) => {
        const def = a.value === undefined ? undefined : word(a.value);
        let value = Object.hasOwn(ctx.buildArgs, a.key) ? ctx.buildArgs[a.key] : def;
        if (value === undefined) {
          const meta = ctx.metaEnv.find((e) => e.startsWith(`${a.key}=`));
          if (meta) value = meta.slice(a.key.length + 1);
        }
        return { key: a.key, def, value };
      });
      const text = `ARG ${resolved.map((a) => (a.def === undefined ? a.key : `${a.key}=${a.def}`)).join(" ")}`;
      return {
        payload: resolved,
        description: text,
        apply(s, created) {
          for (const a of resolved) {
            s.args = s.args.filter((x) => x.key !== a.key);
            s.args.push(a.value === undefined ? { key: a.key } : { key: a.key, value: a.value });
          }
          history(s, created, text, true);
        },
      };
    }
    case "cmd":
    case "entrypoint": {
      const args = ins.json ? ins.args : [...shellOf(state), ins.args.join(" ")];
      const text = `${ins.kind.toUpperCase()} ${goQuoteList(args)}`;
      return {
        payload: args,
        description: text,
        apply(s, created) {
          if (ins.kind === "cmd") {
            s.config.Cmd = args;
            s.cmdSet = true;
          } else {
            s.config.Entrypoint = args;
            if (!s.cmdSet) s.config.Cmd = null;
          }
          s.config.ArgsEscaped = true;
          history(s, created, text, true);
        },
      };
    }
    case "shell":
      return {
        payload: ins.args,
        description: `SHELL [${ins.args.join(" ")}]`,
        apply(s, created) {
          s.config.Shell = ins.args;
          history(s, created, `SHELL [${ins.args.join(" ")}]`, true);
        },
      };
    case "user": {
      const user = word(ins.user);
      return {
        payload: user,
        description: `USER ${user}`,
        apply(s, created) {
          s.config.User = user;
          history(s, created, `USER ${user}`, true);
        },
      };
    }
    case "expose": {
      const ports = ins.ports.flatMap((p) => ctx.lex.processWords(p, env)).flatMap(exposedPorts);
      return {
        payload: ports,
        description: `EXPOSE ${ports.join(" ")}`,
        apply(s, created) {
          const all = { ...((s.config.ExposedPorts as Json | undefined) ?? {}) };
          for (const p of ports) all[p] = {};
          s.config.ExposedPorts = all;
          const map = [...new Set(ports)].sort().map((p) => `${p}:{}`);
          history(s, created, `EXPOSE map[${map.join(" ")}]`, true);
        },
      };
    }
    case "volume": {
      const paths = ins.paths.map(word);
      for (const p of paths) {
        if (p === "")
          throw new StrataError("INVALID_ARGUMENT", "VOLUME specified can not be an empty string");
      }
      return {
        payload: paths,
        description: `VOLUME [${paths.join(" ")}]`,
        apply(s, created) {
          const all = { ...((s.config.Volumes as Json | undefined) ?? {}) };
          for (const p of paths) all[p] = {};
          s.config.Volumes = all;
          history(s, created, `VOLUME [${paths.join(" ")}]`, true);
        },
      };
    }
    case "stopsignal": {
      const sig = word(ins.signal);
      if (!SIGNALS.test(sig)) throw new StrataError("INVALID_ARGUMENT", `Invalid signal: ${sig}`);
      return {
        payload: sig,
        description: `STOPSIGNAL ${sig}`,
        apply(s, created) {
          s.config.StopSignal = sig;
          history(s, created, `STOPSIGNAL ${sig}`, true);
        },
      };
    }
    case "maintainer":
      return {
        payload: ins.name,
        description: `MAINTAINER ${ins.name}`,
        apply(s, created) {
          s.author = ins.name;
          history(s, created, `MAINTAINER ${ins.name}`, true);
        },
      };
    case "onbuild":
      return {
        payload: ins.expression,
        description: `ONBUILD ${ins.expression}`,
        apply(s, created) {
          s.config.OnBuild = [...((s.config.OnBuild as string[] | null) ?? []), ins.expression];
          history(s, created, `ONBUILD ${ins.expression}`, true);
        },
      };
    case "healthcheck": {
      const hc: Json = {};
      if (ins.test === null) hc.Test = ["NONE"];
      else {
        hc.Test = ins.test;
        if (ins.interval) hc.Interval = ins.interval;
        if (ins.timeout) hc.Timeout = ins.timeout;
        if (ins.startPeriod) hc.StartPeriod = ins.startPeriod;
        if (ins.retries) hc.Retries = ins.retries;
      }
      const retries = ins.retries;
      const esc =
        retries < 0x20
          ? `'\\x${retries.toString(16).padStart(2, "0")}'`
          : `'${String.fromCharCode(retries)}'`;
      const text = `HEALTHCHECK &{${goQuoteList((hc.Test as string[]) ?? [])} ${goQuote(goDuration(ins.interval))} ${goQuote(goDuration(ins.timeout))} ${goQuote(goDuration(ins.startPeriod))} ${esc}}`;
      return {
        payload: hc,
        description: text,
        apply(s, created) {
          s.config.Healthcheck = hc;
          history(s, created, text, true);
        },
      };
    }
    default:
      throw new StrataError("INTERNAL", `${ins.kind} is not a config-only instruction`);
  }
}

/** WORKDIR's path: substituted, made absolute against the current one. */
export function workdirPath(
  ins: Extract<Instruction, { kind: "workdir" }>,
  state: StageState,
  lex: ShellLex,
): string {
  const p = lex.processWord(ins.path, buildEnv(state));
  const cur = (state.config.WorkingDir as string | undefined) || "/";
  return posix.normalize(posix.isAbsolute(p) ? p : posix.join(cur, p)).replace(/(.)\/$/, "$1");
}
