/**
 * Dockerfile text → nodes, as BuildKit's frontend/dockerfile/parser does:
 * parser directives at the top (`# escape=`, `# syntax=`), comment lines
 * dropped (also inside continuations), lines joined on the escape character,
 * each logical line split into its instruction, `--flags` and arguments in
 * the form its instruction takes (JSON or shell, name=value pairs, words),
 * and heredocs (`<<EOF`) for RUN, COPY and ADD as Dockerfile 1.4 has them.
 */
import { StrataError } from "../errors.ts";

export interface Heredoc {
  name: string;
  content: string;
  /** `<<EOF` and `<<"EOF"` differ: a quoted terminator turns off expansion. */
  expand: boolean;
  chomp: boolean;
}

export interface Node {
  /** The instruction, lower case (`from`, `run` …). */
  cmd: string;
  /** The instruction as written (for error messages). */
  original: string;
  flags: string[];
  /** The arguments in the instruction's form (see parseArgs). */
  args: string[];
  /** The arguments were a JSON array (exec form). */
  json: boolean;
  heredocs: Heredoc[];
  startLine: number;
  endLine: number;
  /** For ONBUILD: the wrapped instruction. */
  next?: Node;
}

export interface Directives {
  escape: string;
  syntax?: string;
}

export interface ParseResult {
  nodes: Node[];
  directives: Directives;
  warnings: string[];
}

export function parseError(line: number, message: string): StrataError {
  return new StrataError("INVALID_ARGUMENT", `dockerfile parse error line ${line}: ${message}`, {
    details: { line, dockerfile: true },
  });
}

const DIRECTIVE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/;
const HEREDOC_COMMANDS = new Set(["run", "copy", "add"]);
const HEREDOC = /<<(-?)(["']?)([a-zA-Z_][a-zA-Z0-9_]*)\2/g;

/** Reads the directives at the very top; unknown ones are plain comments, as in BuildKit. */
function readDirectives(lines: string[]): { directives: Directives; start: number } {
  const directives: Directives = { escape: "\\" };
  const seen = new Set<string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i] as string);
    if (!m) break;
    const key = (m[1] as string).toLowerCase();
    const value = m[2] as string;
    if (key !== "escape" && key !== "syntax" && key !== "check") continue;
    if (seen.has(key)) throw parseError(i + 1, `only one ${key} parser directive can be used`);
    seen.add(key);
    if (key === "escape") {
      if (value !== "`" && value !== "\\")
        throw parseError(i + 1, `invalid escape token '${value}' does not match ` + "` or \\");
      directives.escape = value;
    } else if (key === "syntax") {
      directives.syntax = value;
    }
  }
  return { directives, start: 0 };
}

const isComment = (line: string) => /^[ \t]*#/.test(line);
const isBlank = (line: string) => /^[ \t]*$/.test(line);

function continuation(escapeToken: string): RegExp {
  return new RegExp(`${escapeToken === "`" ? "`" : "\\\\"}[ \\t]*$`);
}

export function parseDockerfile(text: string): ParseResult {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const { directives } = readDirectives(lines);
  const cont = continuation(directives.escape);
  const nodes: Node[] = [];
  const warnings: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const raw = lines[i] as string;
    const startLine = i + 1;
    i++;
    if (isComment(raw) || isBlank(raw)) continue;
    let logical = raw;
    let emptyContinuation = false;
    while (cont.test(logical)) {
      logical = logical.replace(cont, "");
      // A continuation at the end of the file ends the instruction.
      let next: string | undefined;
      while (i < lines.length) {
        next = lines[i] as string;
        i++;
        if (isComment(next)) {
          next = undefined;
          continue;
        }
        if (isBlank(next)) {
          emptyContinuation = true;
          next = undefined;
          continue;
        }
        break;
      }
      if (next === undefined) break;
      logical += next;
    }
    if (emptyContinuation) {
      warnings.push(`[WARNING]: Empty continuation line found in:\n    ${logical}`);
    }
    const node = parseLine(logical, startLine, directives.escape);
    const endBefore = i;
    node.endLine = endBefore;
    if (
      HEREDOC_COMMANDS.has(node.cmd) ||
      (node.cmd === "onbuild" && node.next && HEREDOC_COMMANDS.has(node.next.cmd))
    ) {
      i = readHeredocs(node, lines, i);
      node.endLine = i;
    }
    nodes.push(node);
  }
  return { nodes, directives, warnings };
}

function readHeredocs(node: Node, lines: string[], at: number): number {
  const target = node.next ?? node;
  // Heredoc markers are only looked for in the shell (non-JSON) form.
  if (target.json) return at;
  const text = target.args.join(" ");
  const found: { name: string; expand: boolean; chomp: boolean }[] = [];
  for (const m of text.matchAll(HEREDOC)) {
    found.push({ name: m[3] as string, expand: m[2] === "", chomp: m[1] === "-" });
  }
  let i = at;
  for (const h of found) {
    const body: string[] = [];
    let closed = false;
    while (i < lines.length) {
      const line = lines[i] as string;
      i++;
      const cmp = h.chomp ? line.replace(/^\t+/, "") : line;
      if (cmp === h.name) {
        closed = true;
        break;
      }
      body.push(h.chomp ? cmp : line);
    }
    if (!closed) throw parseError(node.startLine, `unterminated heredoc ${h.name}`);
    target.heredocs.push({ ...h, content: body.map((l) => `${l}\n`).join("") });
  }
  return i;
}

/** `FROM --platform=x image` → cmd, flags, rest (moby's splitCommand + extractBuilderFlags). */
function splitCommand(line: string): { cmd: string; original: string; flags: string[]; rest: string } {
  const trimmed = line.trim();
  const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  const original = m ? (m[1] as string) : trimmed;
  let rest = m ? (m[2] as string) : "";
  const flags: string[] = [];
  for (;;) {
    const f = /^(--\S*)\s*/.exec(rest);
    if (!f) break;
    const flag = f[1] as string;
    if (flag === "--") {
      rest = rest.slice(f[0].length);
      break;
    }
    flags.push(flag);
    rest = rest.slice(f[0].length);
  }
  return { cmd: original.toLowerCase(), original, flags, rest };
}

const KNOWN = new Set([
  "add",
  "arg",
  "cmd",
  "copy",
  "entrypoint",
  "env",
  "expose",
  "from",
  "healthcheck",
  "label",
  "maintainer",
  "onbuild",
  "run",
  "shell",
  "stopsignal",
  "user",
  "volume",
  "workdir",
]);

export function parseLine(line: string, startLine: number, escapeToken: string): Node {
  const { cmd, original, flags, rest } = splitCommand(line);
  if (!KNOWN.has(cmd)) throw parseError(startLine, `unknown instruction: ${original.toUpperCase()}`);
  const node: Node = {
    cmd,
    original,
    flags,
    args: [],
    json: false,
    heredocs: [],
    startLine,
    endLine: startLine,
  };
  if (cmd === "onbuild") {
    const inner = rest.trim();
    const sub = splitCommand(inner);
    if (sub.cmd === "onbuild")
      throw parseError(startLine, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    if (sub.cmd === "from" || sub.cmd === "maintainer") {
      throw parseError(startLine, `${sub.original.toUpperCase()} isn't allowed as an ONBUILD trigger`);
    }
    node.next = parseLine(inner, startLine, escapeToken);
    node.args = [inner];
    return node;
  }
  parseArgs(node, rest, escapeToken);
  return node;
}

/** The argument forms of moby's dispatch table (parser/line_parsers.go). */
function parseArgs(node: Node, rest: string, escapeToken: string): void {
  switch (node.cmd) {
    case "env":
    case "label":
      node.args = parseNameVal(rest, node, escapeToken);
      return;
    case "arg":
      node.args = parseNameOrNameVal(rest, node, escapeToken);
      return;
    case "run":
    case "cmd":
    case "entrypoint":
    case "shell":
      parseMaybeJson(node, rest);
      return;
    case "add":
    case "copy":
    case "volume":
      parseMaybeJson(node, rest);
      if (!node.json) node.args = whitespaceWords(rest);
      return;
    case "expose":
    case "from":
      node.args = whitespaceWords(rest);
      return;
    case "healthcheck":
      parseHealth(node, rest);
      return;
    default:
      // maintainer, stopsignal, user, workdir: the whole rest as one string.
      node.args = rest.trim() === "" ? [] : [rest.trim()];
  }
}

function whitespaceWords(rest: string): string[] {
  return rest.trim() === "" ? [] : rest.trim().split(/[ \t\r\n\v\f]+/);
}

function parseMaybeJson(node: Node, rest: string): void {
  const trimmed = rest.trim();
  if (trimmed.startsWith("[")) {
    try {
      const v: unknown = JSON.parse(trimmed);
      if (Array.isArray(v) && v.every((s) => typeof s === "string")) {
        node.args = v as string[];
        node.json = true;
        return;
      }
    } catch {}
  }
  node.args = trimmed === "" ? [] : [trimmed];
}

function parseHealth(node: Node, rest: string): void {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(rest.trim());
  if (!m) {
    node.args = [];
    return;
  }
  const type = (m[1] as string).toUpperCase();
  if (type === "NONE") {
    node.args = ["NONE", ...(m[2] ? [m[2]] : [])];
    return;
  }
  if (type !== "CMD") {
    throw parseError(node.startLine, `Unknown type "${type}" in HEALTHCHECK (try CMD)`);
  }
  const inner: Node = { ...node, args: [], json: false };
  parseMaybeJson(inner, m[2] as string);
  node.args = ["CMD", ...inner.args];
  node.json = inner.json;
}

/**
 * moby's parseWords: splits on whitespace outside quotes, keeping quotes and
 * escapes in the words (the shell lexer removes them later).
 */
export function parseWords(rest: string, escapeToken: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote = "";
  let blankOK = false;
  for (let pos = 0; pos < rest.length; pos++) {
    const ch = rest[pos] as string;
    if (!inWord) {
      if (/\s/.test(ch)) continue;
      inWord = true;
    }
    if (/\s/.test(ch) && quote === "") {
      if (blankOK || word.length > 0) words.push(word);
      word = "";
      blankOK = false;
      inWord = false;
      continue;
    }
    if (quote === "" && (ch === '"' || ch === "'")) {
      quote = ch;
      blankOK = true;
    } else if (ch === quote) {
      quote = "";
    }
    if (ch === escapeToken && pos + 1 < rest.length) {
      word += ch;
      pos++;
      word += rest[pos] as string;
      continue;
    }
    word += ch;
  }
  if (blankOK || word.length > 0) words.push(word);
  return words;
}

/** ENV/LABEL: `key value` (old form, one pair) or `k=v k2="v 2"`. Pairs come back as [k, v, k2, v2 …]. */
function parseNameVal(rest: string, node: Node, escapeToken: string): string[] {
  const trimmed = rest.trim();
  const words = parseWords(trimmed, escapeToken);
  if (words.length === 0) return [];
  if (!(words[0] as string).includes("=")) {
    // The old `ENV key value` form: everything after the first word is the value.
    const m = /^(\S+)\s+([\s\S]*)$/.exec(trimmed);
    if (!m || (m[2] as string).trim() === "") {
      throw new StrataError("INVALID_ARGUMENT", `${node.cmd.toUpperCase()} must have two arguments`, {
        details: { line: node.startLine },
      });
    }
    return [m[1] as string, m[2] as string];
  }
  const out: string[] = [];
  for (const w of words) {
    const eq = w.indexOf("=");
    if (eq < 0) {
      throw parseError(
        node.startLine,
        `Syntax error - can't find = in "${w}". Must be of the form: name=value`,
      );
    }
    if (eq === 0) throw parseError(node.startLine, `${node.cmd.toUpperCase()} names can not be blank`);
    out.push(w.slice(0, eq), w.slice(eq + 1));
  }
  return out;
}

/** ARG: `name` or `name=value`, several per line. Undefined values are marked by a missing "=" (kept as "name"). */
function parseNameOrNameVal(rest: string, _node: Node, escapeToken: string): string[] {
  return parseWords(rest.trim(), escapeToken);
}
