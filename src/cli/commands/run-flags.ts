/**
 * The resource and security flags of `run`, `create` and `update`, parsed as
 * Docker's CLI parses them (go-units RAMInBytes and ParseUlimit, big.Rat CPUs,
 * opts.ParseEnvFile, parseDevice, and the seccomp profile read from the
 * client's disk), into the HostConfig fields the engine takes. Bad values get
 * pflag's `invalid argument "…" for "…" flag: …`.
 */
import { readFileSync } from "node:fs";
import { StrataError } from "../../errors.ts";

export interface ResourceFlags {
  memory?: string;
  memorySwap?: string;
  cpus?: string;
  cpuShares?: string;
  cpusetCpus?: string;
  pidsLimit?: string;
}

export interface HostFlags extends ResourceFlags {
  ulimit?: string[];
  shmSize?: string;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  readOnly?: boolean;
  device?: string[];
  groupAdd?: string[];
  init?: boolean;
  securityOpt?: string[];
}

/** A flag's name as pflag shows it: `-m, --memory` or `--cpus`. */
const SHORTS: Record<string, string> = { memory: "m", cpuShares: "c", label: "l" };
const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function flagError(key: string, value: string, why: string): StrataError {
  const long = `--${kebab(key)}`;
  const name = SHORTS[key] ? `-${SHORTS[key]}, ${long}` : long;
  return new StrataError("INVALID_ARGUMENT", `invalid argument "${value}" for "${name}" flag: ${why}`, {
    details: { exitCode: 125, usage: true },
  });
}

/** An error Docker's CLI itself reports (no daemon prefix). */
const plainError = (message: string) =>
  new StrataError("INVALID_ARGUMENT", message, { details: { plain: true } });

const UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** go-units RAMInBytes: `64m`, `1.5g`, `512k`, `100` (bytes); binary multiples. */
export function ramInBytes(key: string, value: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(value);
  if (!m) throw flagError(key, value, `invalid size: '${value}'`);
  const n = Number.parseFloat(m[1] as string);
  return Math.trunc(n * (m[2] ? (UNITS[m[2].toLowerCase()] as number) : 1));
}

export function intFlag(key: string, value: string): number {
  if (!/^[-+]?\d+$/.test(value)) {
    throw flagError(key, value, `strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  return Number.parseInt(value, 10);
}

/** `--cpus 1.5` → NanoCPUs, as Docker's NanoCPUs.Set (a rational number, at most 9 decimals). */
export function nanoCpus(value: string): number {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(value);
  if (!m || (m[1] === "" && (m[2] ?? "") === "")) {
    throw flagError("cpus", value, `failed to parse ${value} as a rational number`);
  }
  const frac = m[2] ?? "";
  if (frac.replace(/0+$/, "").length > 9) throw flagError("cpus", value, "value is too precise");
  return Number(m[1] || "0") * 1e9 + Number(frac.padEnd(9, "0").slice(0, 9) || "0");
}

const ULIMITS = new Set([
  "core",
  "cpu",
  "data",
  "fsize",
  "locks",
  "memlock",
  "msgqueue",
  "nice",
  "nofile",
  "nproc",
  "rss",
  "rtprio",
  "rttime",
  "sigpending",
  "stack",
]);

/** go-units ParseUlimit: `nofile=1024[:2048]`. */
export function parseUlimit(value: string): { Name: string; Soft: number; Hard: number } {
  const fail = (why: string) => flagError("ulimit", value, why);
  const eq = value.indexOf("=");
  if (eq < 0) throw fail(`invalid ulimit argument: ${value}`);
  const name = value.slice(0, eq);
  if (!ULIMITS.has(name)) throw fail(`invalid ulimit type: ${name}`);
  const parts = value.slice(eq + 1).split(":");
  if (parts.length > 2) {
    throw fail(
      `too many limit value arguments - ${value.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``,
    );
  }
  const num = (s: string) => {
    if (!/^-?\d+$/.test(s)) throw fail(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
    return Number(s);
  };
  const soft = num(parts[0] as string);
  const hard = parts.length === 2 ? num(parts[1] as string) : soft;
  if (soft > hard) throw fail(`ulimit soft limit must be less than hard limit: ${soft} > ${hard}`);
  return { Name: name, Soft: soft, Hard: hard };
}

const validMode = (mode: string) =>
  mode !== "" && /^[rwm]+$/.test(mode) && new Set(mode).size === mode.length;

/** Docker's parseDevice: `/dev/x[:/dev/y][:rwm]`. */
export function parseDevice(value: string) {
  const fail = (why: string) => flagError("device", value, why);
  const parts = value.split(":");
  if (parts.length > 3) throw fail(`invalid device specification: ${value}`);
  const src = parts[0] as string;
  let dst = "";
  let permissions = "rwm";
  if (parts.length === 3) permissions = parts[2] as string;
  if (parts.length >= 2) {
    if (parts.length === 2 && validMode(parts[1] as string)) permissions = parts[1] as string;
    else dst = parts[1] as string;
  }
  if (!validMode(permissions)) throw fail(`bad mode specified: ${permissions}`);
  if (!dst) dst = src;
  if (!dst.startsWith("/")) throw fail(`bad format for path: ${value}`);
  return { PathOnHost: src, PathInContainer: dst, CgroupPermissions: permissions };
}

/**
 * Docker's CLI sends a seccomp profile's content, not its path: read and
 * compacted here, on the client's side, with Docker's messages.
 */
export function readSecurityOpts(opts: string[]): string[] {
  return opts.map((raw) => {
    const opt = raw.trim();
    if (opt === "no-new-privileges") return opt;
    let at = opt.indexOf("=");
    if (at < 0) at = opt.indexOf(":");
    if (at < 0) throw plainError(`Invalid --security-opt: ${JSON.stringify(opt)}`);
    const [key, value] = [opt.slice(0, at), opt.slice(at + 1)];
    if (key !== "seccomp" || value === "unconfined") return opt;
    let text: string;
    try {
      text = readFileSync(value, "utf8");
    } catch (err) {
      const reason =
        (err as NodeJS.ErrnoException).code === "ENOENT"
          ? "no such file or directory"
          : (err as Error).message;
      throw plainError(`opening seccomp profile (${value}) failed: open ${value}: ${reason}`);
    }
    try {
      return `seccomp=${JSON.stringify(JSON.parse(text))}`;
    } catch (err) {
      throw plainError(`compacting json for seccomp profile (${value}) failed: ${(err as Error).message}`);
    }
  });
}

/** The limit flags, for `run`/`create` and `update` alike; only those given. */
export function resourceOptions(f: ResourceFlags) {
  const out: {
    Memory?: number;
    MemorySwap?: number;
    NanoCpus?: number;
    CpuShares?: number;
    CpusetCpus?: string;
    PidsLimit?: number | null;
  } = {};
  if (f.memory !== undefined) out.Memory = ramInBytes("memory", f.memory);
  if (f.memorySwap !== undefined) {
    out.MemorySwap = f.memorySwap === "-1" ? -1 : ramInBytes("memorySwap", f.memorySwap);
  }
  if (f.cpus !== undefined) out.NanoCpus = nanoCpus(f.cpus);
  if (f.cpuShares !== undefined) out.CpuShares = intFlag("cpuShares", f.cpuShares);
  if (f.cpusetCpus !== undefined) out.CpusetCpus = f.cpusetCpus;
  if (f.pidsLimit !== undefined) out.PidsLimit = intFlag("pidsLimit", f.pidsLimit);
  return out;
}

const nonEmpty = (list: string[] | undefined) => (list && list.length > 0 ? list : undefined);

/** Every HostConfig flag of `run`/`create`. */
export function hostOptions(f: HostFlags) {
  const securityOpt = nonEmpty(f.securityOpt);
  return {
    ...resourceOptions(f),
    ...(nonEmpty(f.ulimit) ? { Ulimits: (f.ulimit as string[]).map(parseUlimit) } : {}),
    ...(f.shmSize !== undefined ? { ShmSize: ramInBytes("shmSize", f.shmSize) } : {}),
    ...(nonEmpty(f.capAdd) ? { CapAdd: f.capAdd } : {}),
    ...(nonEmpty(f.capDrop) ? { CapDrop: f.capDrop } : {}),
    ...(f.privileged ? { Privileged: true } : {}),
    ...(f.readOnly ? { ReadonlyRootfs: true } : {}),
    ...(nonEmpty(f.device) ? { Devices: (f.device as string[]).map(parseDevice) } : {}),
    ...(nonEmpty(f.groupAdd) ? { GroupAdd: f.groupAdd } : {}),
    ...(f.init !== undefined ? { Init: f.init } : {}),
    ...(securityOpt ? { SecurityOpt: readSecurityOpts(securityOpt) } : {}),
  };
}

/**
 * Docker's opts.ParseEnvFile: `KEY=value` lines; blank lines and `#`
 * comments skipped; a bare `KEY` takes this process's value, or is dropped.
 */
export function readEnvFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (err as Error).message;
    throw plainError(`open ${path}: ${reason}`);
  }
  const out: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, "");
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    const key = eq < 0 ? line : line.slice(0, eq);
    if (key === "") throw plainError(`invalid environment variable: ${line}`);
    if (/\s/.test(key)) {
      throw plainError(`variable '${key}' contains whitespaces`);
    }
    if (eq >= 0) out.push(line);
    else if (process.env[key] !== undefined) out.push(`${key}=${process.env[key]}`);
  }
  return out;
}

/** `--label k=v` (or `k`, an empty value) → labels. */
export function parseLabels(list: string[] | undefined): Record<string, string> | undefined {
  if (!list || list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const l of list) {
    const eq = l.indexOf("=");
    if (eq === 0) throw flagError("label", l, "invalid label format");
    out[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? "" : l.slice(eq + 1);
  }
  return out;
}
