/**
 * The subset of Go's text/template that Docker's `--format` uses: fields,
 * variables, pipelines, if/else/range/with, {{- -}} trimming, comments, and
 * Go's plus Docker's functions (json, join, split, upper, lower, title, pad,
 * truncate, printf, println, len, index, eq/ne/lt/le/gt/ge, and/or/not).
 */
import { StrataError } from "../errors.ts";
import { callFunction, goPrint, isTrue } from "./template-funcs.ts";

type Node =
  | { kind: "text"; text: string }
  | { kind: "action"; pipe: Pipeline; pos: number }
  | { kind: "if" | "with"; pipe: Pipeline; then: Node[]; else: Node[] }
  | { kind: "range"; pipe: Pipeline; vars: string[]; body: Node[]; else: Node[] };

interface Pipeline {
  decl: string[];
  cmds: Arg[][];
}

type Arg =
  | { t: "field"; base: "dot" | string; path: string[] }
  | { t: "lit"; v: unknown }
  | { t: "ident"; name: string }
  | { t: "pipe"; pipe: Pipeline };

const parseError = (msg: string) =>
  new StrataError("INVALID_TEMPLATE", `template parsing error: template: :1: ${msg}`);

function tokenize(src: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|'(?:[^'\\]|\\.)'|\(|\)|\||:=|=|,|[^\s()|,=]+)/y;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < src.length) {
    m = re.exec(src);
    if (!m) {
      if (/^\s*$/.test(src.slice(re.lastIndex))) break;
      throw parseError(`unexpected "${src.slice(re.lastIndex).trim()}" in command`);
    }
    out.push(m[1]);
  }
  return out;
}

function parseOperand(tok: string): Arg {
  if (tok.startsWith('"')) return { t: "lit", v: JSON.parse(tok) };
  if (tok.startsWith("`")) return { t: "lit", v: tok.slice(1, -1) };
  if (tok.startsWith("'")) return { t: "lit", v: JSON.parse(`"${tok.slice(1, -1)}"`).codePointAt(0) };
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(tok)) return { t: "lit", v: Number(tok) };
  if (tok === "true" || tok === "false") return { t: "lit", v: tok === "true" };
  if (tok === "nil") return { t: "lit", v: null };
  if (tok === ".") return { t: "field", base: "dot", path: [] };
  if (tok.startsWith(".")) return { t: "field", base: "dot", path: tok.slice(1).split(".") };
  if (tok.startsWith("$")) {
    const [name, ...path] = tok.split(".");
    return { t: "field", base: name, path };
  }
  if (/^[A-Za-z_]\w*$/.test(tok)) return { t: "ident", name: tok };
  throw parseError(`unexpected "${tok}" in operand`);
}

function parsePipeline(tokens: string[], start = 0, stopAtParen = false): [Pipeline, number] {
  let i = start;
  const decl: string[] = [];
  // `$x := …` or `$i, $v := …`
  const assign = tokens.indexOf(":=", i);
  if (assign > i && tokens.slice(i, assign).every((t) => t.startsWith("$") || t === ",")) {
    for (const t of tokens.slice(i, assign)) if (t !== ",") decl.push(t);
    i = assign + 1;
  }
  const cmds: Arg[][] = [[]];
  while (i < tokens.length) {
    const tok = tokens[i];
    if (tok === ")") {
      if (!stopAtParen) throw parseError("unexpected right paren");
      break;
    }
    if (tok === "|") {
      if (cmds[cmds.length - 1].length === 0) throw parseError("missing command");
      cmds.push([]);
      i++;
      continue;
    }
    if (tok === "(") {
      const [pipe, next] = parsePipeline(tokens, i + 1, true);
      if (tokens[next] !== ")") throw parseError("unclosed left paren");
      let arg: Arg = { t: "pipe", pipe };
      i = next + 1;
      // (pipeline).Field
      if (tokens[i]?.startsWith(".") && tokens[i].length > 1) {
        arg = {
          t: "pipe",
          pipe: {
            decl: [],
            cmds: [[{ t: "ident", name: "__field" }, arg, { t: "lit", v: tokens[i].slice(1) }]],
          },
        };
        i++;
      }
      cmds[cmds.length - 1].push(arg);
      continue;
    }
    cmds[cmds.length - 1].push(parseOperand(tok));
    i++;
  }
  if (cmds[cmds.length - 1].length === 0) throw parseError("missing value for command");
  return [{ decl, cmds }, i];
}

interface RawAction {
  body: string;
  pos: number;
}

function split(src: string): Array<string | RawAction> {
  const parts: Array<string | RawAction> = [];
  let i = 0;
  let pendingTrim = false;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (pendingTrim) text = text.replace(/^\s+/, "");
    if (open < 0) {
      parts.push(text);
      break;
    }
    const close = src.indexOf("}}", open + 2);
    if (close < 0) throw parseError("unclosed action");
    let body = src.slice(open + 2, close);
    if (body.startsWith("- ") || body === "-") {
      text = text.replace(/\s+$/, "");
      body = body.slice(1);
    }
    pendingTrim = body.endsWith(" -");
    if (pendingTrim) body = body.slice(0, -1);
    parts.push(text, { body: body.trim(), pos: open + 2 });
    i = close + 2;
  }
  return parts;
}

function build(parts: Array<string | RawAction>): Node[] {
  let i = 0;
  const block = (stops: string[]): [Node[], string] => {
    const nodes: Node[] = [];
    while (i < parts.length) {
      const p = parts[i++];
      if (typeof p === "string") {
        if (p) nodes.push({ kind: "text", text: p });
        continue;
      }
      const body = p.body;
      if (body.startsWith("/*")) {
        if (!body.endsWith("*/")) throw parseError("unclosed comment");
        continue;
      }
      const word = body.split(/\s+/)[0];
      if (stops.includes(word) || (word === "else" && stops.includes("else"))) {
        i--;
        return [nodes, word];
      }
      if (word === "if" || word === "with" || word === "range") {
        nodes.push(control(word, body.slice(word.length)));
        continue;
      }
      if (word === "end" || word === "else") throw parseError(`unexpected {{${word}}}`);
      const [pipe] = parsePipeline(tokenize(body));
      nodes.push({ kind: "action", pipe, pos: p.pos });
    }
    return [nodes, ""];
  };
  /** Parses an if/with/range whose action was just consumed, through its {{end}}. */
  const control = (word: string, rest: string): Node => {
    const [pipe] = parsePipeline(tokenize(rest));
    const [then, stop] = block(["else", "end"]);
    let elseNodes: Node[] = [];
    const at = parts[i] as RawAction | undefined;
    if (stop === "else" && at) {
      i++;
      const tail = at.body.slice(4).trim();
      if (word === "if" && tail.startsWith("if ")) {
        // {{else if …}}: a nested if that shares the outer {{end}}.
        elseNodes = [control("if", tail.slice(2))];
        return { kind: "if", pipe, then, else: elseNodes };
      }
      const [e, stop2] = block(["end"]);
      if (stop2 !== "end") throw parseError("unexpected EOF");
      elseNodes = e;
    } else if (stop !== "end") throw parseError("unexpected EOF");
    i++; // the {{end}}
    if (word === "range")
      return { kind: "range", pipe: { ...pipe, decl: [] }, vars: pipe.decl, body: then, else: elseNodes };
    return { kind: word as "if" | "with", pipe, then, else: elseNodes };
  };
  const [nodes, stop] = block([]);
  if (stop) throw parseError(`unexpected {{${stop}}}`);
  return nodes;
}

class Scope {
  constructor(
    readonly vars: Map<string, unknown>,
    readonly strict: boolean,
  ) {}
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return "interface {}";
  if (Array.isArray(v)) return "[]interface {}";
  if (typeof v === "object")
    return v.constructor?.name && v.constructor.name !== "Object"
      ? v.constructor.name
      : "map[string]interface {}";
  return typeof v;
}

export function fieldOf(v: unknown, name: string, strict: boolean): unknown {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    if (name in (v as object)) {
      const f = (v as Record<string, unknown>)[name];
      return typeof f === "function" ? (f as () => unknown).call(v) : f;
    }
    if (strict)
      throw new StrataError(
        "INVALID_TEMPLATE",
        `template: :1: executing "" at <.${name}>: can't evaluate field ${name} in type ${typeName(v)}`,
      );
    return undefined;
  }
  if (v === undefined || v === null) return undefined;
  throw new StrataError(
    "INVALID_TEMPLATE",
    `template: :1: executing "" at <.${name}>: can't evaluate field ${name} in type ${typeName(v)}`,
  );
}

function evalArg(a: Arg, dot: unknown, scope: Scope, piped: unknown[]): unknown {
  switch (a.t) {
    case "lit":
      return a.v;
    case "pipe":
      return evalPipe(a.pipe, dot, scope);
    case "ident":
      return callFunction(a.name, piped);
    case "field": {
      let v: unknown;
      if (a.base === "dot") v = dot;
      else {
        if (!scope.vars.has(a.base))
          throw new StrataError(
            "INVALID_TEMPLATE",
            `template parsing error: template: :1: undefined variable "${a.base}"`,
          );
        v = scope.vars.get(a.base);
      }
      for (const p of a.path) v = fieldOf(v, p, scope.strict);
      return v;
    }
  }
}

function evalCommand(cmd: Arg[], dot: unknown, scope: Scope, prev: unknown[]): unknown {
  const [head, ...rest] = cmd;
  if (head.t === "ident") {
    if (head.name === "__field") {
      const target = evalArg(rest[0], dot, scope, []);
      return fieldOf(target, (rest[1] as { v: string }).v, scope.strict);
    }
    const args = rest.map((r) => evalArg(r, dot, scope, []));
    return callFunction(head.name, [...args, ...prev]);
  }
  if (rest.length > 0 || prev.length > 0) {
    throw new StrataError("INVALID_TEMPLATE", `template: :1: can't give argument to non-function`);
  }
  return evalArg(head, dot, scope, []);
}

function evalPipe(p: Pipeline, dot: unknown, scope: Scope): unknown {
  let value: unknown;
  p.cmds.forEach((cmd, i) => {
    value = evalCommand(cmd, dot, scope, i === 0 ? [] : [value]);
  });
  for (const d of p.decl) scope.vars.set(d, value);
  return value;
}

function run(nodes: Node[], dot: unknown, scope: Scope, out: string[]): void {
  for (const n of nodes) {
    if (n.kind === "text") out.push(n.text);
    else if (n.kind === "action") {
      const v = evalPipe(n.pipe, dot, scope);
      if (n.pipe.decl.length === 0) out.push(goPrint(v));
    } else if (n.kind === "if") {
      run(isTrue(evalPipe(n.pipe, dot, scope)) ? n.then : n.else, dot, scope, out);
    } else if (n.kind === "with") {
      const v = evalPipe(n.pipe, dot, scope);
      if (isTrue(v)) run(n.then, v, scope, out);
      else run(n.else, dot, scope, out);
    } else if (n.kind === "range") {
      const v = evalPipe(n.pipe, dot, scope);
      const entries: Array<[unknown, unknown]> = Array.isArray(v)
        ? v.map((x, i) => [i, x])
        : v && typeof v === "object"
          ? Object.keys(v as object)
              .sort()
              .map((k) => [k, (v as Record<string, unknown>)[k]])
          : [];
      if (entries.length === 0) run(n.else, dot, scope, out);
      for (const [k, x] of entries) {
        if (n.vars.length === 1) scope.vars.set(n.vars[0], x);
        if (n.vars.length === 2) {
          scope.vars.set(n.vars[0], k);
          scope.vars.set(n.vars[1], x);
        }
        run(n.body, x, scope, out);
      }
    }
  }
}

export class Template {
  constructor(private readonly nodes: Node[]) {}

  /** Runs the template. `strict` makes a missing field an error (Go structs); otherwise `<no value>` (Go maps). */
  execute(data: unknown, opts: { strict?: boolean } = {}): string {
    const out: string[] = [];
    run(this.nodes, data, new Scope(new Map([["$", data]]), opts.strict ?? false), out);
    return out.join("");
  }
}

export function parseTemplate(src: string): Template {
  return new Template(build(split(src)));
}

/** Docker's `--format`: a leading `table ` means a table with a header row. */
export function parseFormat(format: string): { table: boolean; template: Template } {
  const table = format.startsWith("table");
  const body = table ? format.slice(5).trimStart() : format;
  // Docker turns the two-character `\t` and `\n` a shell leaves in place into real ones.
  const text = body.replace(/\\t/g, "\t").replace(/\\n/g, "\n");
  return { table, template: parseTemplate(text) };
}
