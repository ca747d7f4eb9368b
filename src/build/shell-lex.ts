/**
 * Docker's variable substitution (BuildKit frontend/dockerfile/shell/lex.go):
 * `$X`, `${X}`, `${X:-word}`, `${X-word}`, `${X:+word}`, `${X+word}`,
 * `${X:?msg}`, `${X?msg}`, single quotes literal, double quotes expanding,
 * and the escape character (`\` or the `# escape=` one). Quotes are removed
 * as a shell would. Only the instructions Docker expands use it (not RUN,
 * CMD, ENTRYPOINT, SHELL, HEALTHCHECK: their shell does that).
 */
import { StrataError } from "../errors.ts";

const EOF = "";
const SPECIAL = new Set(["@", "*", "#", "?", "-", "$", "!", "0"]);

function lexError(message: string): StrataError {
  return new StrataError("INVALID_ARGUMENT", message, { details: { dockerfile: true } });
}

/** Looks a name up in `KEY=VALUE` entries, first match, as BuildKit's getEnv. */
export function lookupEnv(env: readonly string[], name: string): string | undefined {
  for (const e of env) {
    const i = e.indexOf("=");
    if (i < 0) {
      if (e === name) return "";
      continue;
    }
    if (e.slice(0, i) === name) return e.slice(i + 1);
  }
  return undefined;
}

/** Collects words as the shell would split them (for ProcessWords). */
class Words {
  words: string[] = [];
  private word = "";
  private inWord = false;

  addChar(ch: string): void {
    if (/\s/.test(ch) && this.inWord) {
      if (this.word.length > 0) {
        this.words.push(this.word);
        this.word = "";
        this.inWord = false;
      }
    } else if (!/\s/.test(ch)) {
      this.addRawChar(ch);
    }
  }

  addRawChar(ch: string): void {
    this.word += ch;
    this.inWord = true;
  }

  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }

  addRawString(s: string): void {
    this.word += s;
    this.inWord = true;
  }

  result(): string[] {
    if (this.word.length > 0) {
      this.words.push(this.word);
      this.word = "";
    }
    return this.words;
  }
}

class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}
  peek(): string {
    return this.pos < this.text.length ? (this.text[this.pos] as string) : EOF;
  }
  next(): string {
    const ch = this.peek();
    if (ch !== EOF) this.pos++;
    return ch;
  }
}

class ShellWord {
  private readonly s: Scanner;
  constructor(
    word: string,
    private readonly env: readonly string[],
    private readonly escapeToken: string,
    /** Keep quotes and escapes (BuildKit's RawQuotes/RawEscapes, for step names). */
    private readonly raw = false,
  ) {
    this.s = new Scanner(word);
  }

  process(): { word: string; words: string[] } {
    const { result, words } = this.stopOn(EOF);
    return { word: result, words };
  }

  private stopOn(stop: string): { result: string; words: string[] } {
    let result = "";
    const words = new Words();
    while (this.s.peek() !== EOF) {
      const ch = this.s.peek();
      if (stop !== EOF && ch === stop) {
        this.s.next();
        return { result, words: words.result() };
      }
      if (ch === "'" || ch === '"' || ch === "$") {
        const tmp = ch === "'" ? this.singleQuote() : ch === '"' ? this.doubleQuote() : this.dollar();
        result += tmp;
        if (ch === "$") words.addString(tmp);
        else words.addRawString(tmp);
        continue;
      }
      let c = this.s.next();
      if (c === this.escapeToken) {
        if (this.raw) result += c;
        // The escape character escapes the next one; at the end it is dropped.
        c = this.s.next();
        if (c === EOF) break;
        words.addRawChar(c);
      } else {
        words.addChar(c);
      }
      result += c;
    }
    if (stop !== EOF) throw lexError(`unexpected end of statement while looking for matching ${stop}`);
    return { result, words: words.result() };
  }

  private singleQuote(): string {
    this.s.next();
    let result = "";
    for (;;) {
      const ch = this.s.next();
      if (ch === EOF) throw lexError("unexpected end of statement while looking for matching single-quote");
      if (ch === "'") return this.raw ? `'${result}'` : result;
      result += ch;
    }
  }

  private doubleQuote(): string {
    this.s.next();
    let result = "";
    for (;;) {
      const ch = this.s.peek();
      if (ch === EOF) throw lexError("unexpected end of statement while looking for matching double-quote");
      if (ch === '"') {
        this.s.next();
        return this.raw ? `"${result}"` : result;
      }
      if (ch === "$") {
        result += this.dollar();
        continue;
      }
      let c = this.s.next();
      if (c === this.escapeToken) {
        if (this.raw) result += c;
        const after = this.s.peek();
        if (after === EOF) continue;
        // Only these can be escaped inside double quotes; other escapes stay as written.
        if (after === '"' || after === "$" || after === this.escapeToken) c = this.s.next();
        else if (this.raw) continue;
      }
      result += c;
    }
  }

  private name(): string {
    let name = "";
    for (;;) {
      const ch = this.s.peek();
      if (ch === EOF) return name;
      if (name === "" && /[0-9]/.test(ch)) {
        while (/[0-9]/.test(this.s.peek()) && this.s.peek() !== EOF) name += this.s.next();
        return name;
      }
      if (name === "" && SPECIAL.has(ch)) return this.s.next();
      if (!/[\p{L}\p{N}_]/u.test(ch)) return name;
      name += this.s.next();
    }
  }

  private dollar(): string {
    this.s.next();
    if (this.s.peek() !== "{") {
      const name = this.name();
      if (name === "") return "$";
      return lookupEnv(this.env, name) ?? "";
    }
    this.s.next();
    const first = this.s.peek();
    if (first === EOF) throw lexError("syntax error: missing '}'");
    if (first === "{" || first === "}" || first === ":") throw lexError("syntax error: bad substitution");
    const name = this.name();
    const ch = this.s.next();
    const value = lookupEnv(this.env, name);
    switch (ch) {
      case "}":
        return value ?? "";
      case "?": {
        const { result } = this.stopOn("}");
        if (value === undefined) throw lexError(`${name}: ${result || "is not allowed to be unset"}`);
        return value;
      }
      case "-": {
        const { result } = this.stopOn("}");
        return value === undefined ? result : value;
      }
      case "+": {
        const { result } = this.stopOn("}");
        return value === undefined ? "" : result;
      }
      case ":": {
        const mod = this.s.next();
        const { result } = this.stopOn("}");
        if (mod === "-") return value === undefined || value === "" ? result : value;
        if (mod === "+") return value === undefined || value === "" ? "" : result;
        if (mod === "?") {
          if (value === undefined || value === "") {
            throw lexError(`${name}: ${result || "is not allowed to be unset or empty"}`);
          }
          return value;
        }
        throw lexError(`unsupported modifier (${mod}) in substitution`);
      }
      case EOF:
        throw lexError("syntax error: missing '}'");
      default:
        throw lexError(`unsupported modifier (${ch}) in substitution`);
    }
  }
}

export class ShellLex {
  constructor(readonly escapeToken = "\\") {}

  /** One word with variables substituted and quotes removed (ProcessWord). */
  processWord(word: string, env: readonly string[]): string {
    return new ShellWord(word, env, this.escapeToken).process().word;
  }

  /** Substitutes but keeps quotes and escapes: how BuildKit names a step (`RUN echo "hola"`). */
  processRaw(word: string, env: readonly string[]): string {
    try {
      return new ShellWord(word, env, this.escapeToken, true).process().word;
    } catch {
      return word;
    }
  }

  /** Substitutes, then splits into words as a shell would (ProcessWords, used by EXPOSE). */
  processWords(word: string, env: readonly string[]): string[] {
    return new ShellWord(word, env, this.escapeToken).process().words;
  }
}
