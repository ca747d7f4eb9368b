/** Functions and value printing for the template engine, as Go and docker/cli define them. */
import { StrataError } from "../errors.ts";

/** encoding/json: HTML-escaped, compact. */
export function goJson(v: unknown): string {
  return (JSON.stringify(v ?? null) ?? "null")
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026");
}

/** fmt's %v for decoded JSON values: strings bare, arrays `[a b]`, maps `map[k:v]`. */
export function goPrint(v: unknown): string {
  if (v === undefined) return "<no value>";
  if (v === null) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return `[${v.map(goPrint).join(" ")}]`;
  if (typeof v === "object") {
    const keys = Object.keys(v as object).sort();
    return `map[${keys.map((k) => `${k}:${goPrint((v as Record<string, unknown>)[k])}`).join(" ")}]`;
  }
  return String(v);
}

export function isTrue(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}

function sprintf(format: string, args: unknown[]): string {
  let i = 0;
  return format.replace(
    /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([vsdqfgxXt%])/g,
    (_m, flags: string, width, prec, verb) => {
      if (verb === "%") return "%";
      const a = args[i++];
      let s: string;
      switch (verb) {
        case "d":
          s = String(Math.trunc(Number(a)));
          break;
        case "f":
          s = Number(a).toFixed(prec === undefined ? 6 : Number(prec));
          break;
        case "q":
          s = JSON.stringify(goPrint(a));
          break;
        case "x":
        case "X":
          s = typeof a === "number" ? a.toString(16) : Buffer.from(goPrint(a)).toString("hex");
          if (verb === "X") s = s.toUpperCase();
          break;
        default:
          s = goPrint(a);
          if (prec !== undefined && verb === "s") s = s.slice(0, Number(prec));
      }
      if (width)
        s = flags.includes("-")
          ? s.padEnd(Number(width))
          : s.padStart(Number(width), flags.includes("0") ? "0" : " ");
      return s;
    },
  );
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function lengthOf(v: unknown): number {
  if (typeof v === "string" || Array.isArray(v)) return v.length;
  if (v && typeof v === "object") return Object.keys(v).length;
  throw new StrataError("INVALID_TEMPLATE", `template: :1: error calling len: len of type ${typeof v}`);
}

const FUNCS: Record<string, (...a: unknown[]) => unknown> = {
  json: (v) => goJson(v),
  join: (list, sep) => (Array.isArray(list) ? list.map(goPrint).join(String(sep)) : goPrint(list)),
  split: (s, sep) => String(s).split(String(sep)),
  upper: (s) => String(s).toUpperCase(),
  lower: (s) => String(s).toLowerCase(),
  title: (s) => String(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  pad: (s, before, after) => `${" ".repeat(Number(before))}${goPrint(s)}${" ".repeat(Number(after))}`,
  truncate: (s, n) => [...String(s)].slice(0, Number(n)).join(""),
  print: (...a) => a.map(goPrint).join(""),
  println: (...a) => `${a.map(goPrint).join(" ")}\n`,
  printf: (f, ...a) => sprintf(String(f), a),
  len: (v) => lengthOf(v),
  index: (v, ...keys) =>
    keys.reduce((acc: unknown, k) => (acc as Record<string, unknown> | undefined)?.[k as string], v),
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  and: (...a) => a.find((x) => !isTrue(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => isTrue(x)) ?? a[a.length - 1],
  not: (a) => !isTrue(a),
};

export function callFunction(name: string, args: unknown[]): unknown {
  const fn = FUNCS[name];
  if (!fn)
    throw new StrataError(
      "INVALID_TEMPLATE",
      `template parsing error: template: :1: function "${name}" not defined`,
    );
  return fn(...args);
}
