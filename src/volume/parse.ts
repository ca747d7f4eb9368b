/**
 * Docker's three ways to ask for a mount, parsed into one shape: `-v`
 * (HostConfig.Binds), `--mount` (HostConfig.Mounts, docker/cli opts/mount.go)
 * and `--tmpfs` (HostConfig.Tmpfs), with Docker's messages for bad input.
 * Nothing here touches the disk; create.ts resolves volumes and checks
 * sources.
 */
import { isAbsolute, posix, resolve } from "node:path";
import { StrataError } from "../errors.ts";
import { checkVolumeName } from "./names.ts";

export type MountType = "bind" | "volume" | "tmpfs";

/** One requested mount, whichever flag asked for it. */
export interface MountRequest {
  type: MountType;
  /** Host path (bind), volume name (volume; "" for an anonymous one), "" for tmpfs. */
  source: string;
  target: string;
  readOnly: boolean;
  /** Docker's Mode text in inspect's Mounts (`-v` modes as typed, "" for --mount). */
  mode: string;
  propagation: string;
  /** volume: fill an empty volume with the image's content at target (off with `nocopy`). */
  copyData: boolean;
  /** tmpfs mount(2) data (size=, mode=, other --tmpfs options). */
  tmpfsOptions: string[];
  /** --mount volume-label=: labels of a volume this mount creates. */
  volumeLabels: Record<string, string>;
  /** `-v` creates a missing bind source; `--mount type=bind` refuses it. */
  createSource: boolean;
  origin: "volume-flag" | "mount-flag" | "tmpfs-flag";
  /** The flag's value as typed (HostConfig.Binds / Tmpfs show it). */
  spec: string;
}

const PROPAGATIONS = ["shared", "rshared", "slave", "rslave", "private", "rprivate"];
const CONSISTENCY = ["consistent", "cached", "delegated", "default"];

function daemonError(message: string): StrataError {
  return new StrataError("INVALID_ARGUMENT", message, { details: { daemon: true } });
}

/** A flag value the CLI itself refuses (pflag's wording; exit 125 with the help hint). */
export class MountFlagError extends StrataError {
  constructor(flag: string, value: string, reason: string) {
    super("INVALID_ARGUMENT", `invalid argument "${value}" for "${flag}" flag: ${reason}`, {
      details: { flagError: true },
    });
  }
}

function checkTarget(type: MountType, target: string): string {
  if (!isAbsolute(target)) {
    throw daemonError(
      `invalid mount config for type "${type}": invalid mount path: '${target}' mount path must be absolute`,
    );
  }
  const clean = posix.normalize(target).replace(/(.)\/$/, "$1");
  if (clean === "/") {
    throw daemonError(`invalid specification: destination can't be '/'`);
  }
  return clean;
}

function base(type: MountType, origin: MountRequest["origin"], spec: string): MountRequest {
  return {
    spec,
    type,
    source: "",
    target: "",
    readOnly: false,
    mode: "",
    propagation: type === "bind" ? "rprivate" : "",
    copyData: type === "volume",
    tmpfsOptions: [],
    volumeLabels: {},
    createSource: false,
    origin,
  };
}

/** `-v [SRC:]DST[:MODE]`: a host path (absolute, or `./…` made absolute as Docker ≥ 23's CLI does) or a volume name. */
export function parseVolumeFlag(spec: string, cwd = process.cwd()): MountRequest {
  const parts = spec.split(":");
  if (parts.length > 3 || parts.some((p) => p === "")) {
    throw daemonError(`invalid volume specification: '${spec}'`);
  }
  let [source, target, mode] = parts.length === 1 ? ["", parts[0], undefined] : parts;
  if (mode === undefined && parts.length === 2 && !(target as string).startsWith("/")) {
    // `/ctr:ro` is not a form Docker has; `name:ro` neither.
    throw daemonError(`invalid volume specification: '${spec}'`);
  }
  source = source as string;
  if (source === "." || source.startsWith("./")) source = resolve(cwd, source);
  const type: MountType = source === "" || !source.startsWith("/") ? "volume" : "bind";
  if (type === "volume" && source !== "") checkVolumeName(source);
  const m = base(type, "volume-flag", spec);
  m.source = type === "bind" ? posix.normalize(source) : source;
  m.target = checkTarget(type, target as string);
  m.createSource = true;
  // Docker shows `z` for a named volume given without a mode.
  m.mode = mode ?? (type === "volume" && source !== "" ? "z" : "");
  for (const opt of (mode ?? "").split(",").filter(Boolean)) {
    if (opt === "ro") m.readOnly = true;
    else if (opt === "rw") m.readOnly = false;
    else if (opt === "nocopy" && type === "volume") m.copyData = false;
    else if (PROPAGATIONS.includes(opt) && type === "bind") m.propagation = opt;
    else if (opt === "z" || opt === "Z" || CONSISTENCY.includes(opt)) {
      // SELinux relabelling and macOS consistency: no meaning on this host, as on Docker without SELinux.
    } else throw daemonError(`invalid mode: ${mode}`);
  }
  return m;
}

function parseBool(key: string, value: string | undefined, flagValue: string): boolean {
  if (value === undefined) return true;
  const v = value.toLowerCase();
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new MountFlagError("--mount", flagValue, `invalid value for ${key}: ${value}`);
}

/** Go's strconv.ParseInt(s, 8, 32) for tmpfs-mode. */
function octal(value: string, flagValue: string): number {
  if (!/^[0-7]+$/.test(value)) {
    throw new MountFlagError("--mount", flagValue, `invalid value for tmpfs-mode: ${value}`);
  }
  return Number.parseInt(value, 8);
}

/** go-units RAMInBytes: `64m`, `1g`, `512k`, plain bytes. */
export function ramInBytes(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?$/i.exec(value.trim());
  if (!m) return undefined;
  const power = " kmgtp".indexOf((m[2] || " ").toLowerCase());
  return Math.trunc(Number(m[1]) * 1024 ** power);
}

/** `--mount type=…,source=…,target=…,…` (docker/cli opts/mount.go, then the daemon's checks). */
export function parseMountFlag(value: string): MountRequest {
  let m = base("volume", "mount-flag", value);
  const seen: string[] = [];
  const fields = value.split(",");
  // The type decides the defaults; read it first as docker/cli does.
  for (const field of fields) {
    const [key, v] = field.split("=", 2);
    if (key?.trim().toLowerCase() === "type") {
      const type = (v ?? "").toLowerCase();
      if (type !== "bind" && type !== "volume" && type !== "tmpfs") {
        throw daemonError(`invalid mount config for type "${type}": mount type unknown`);
      }
      m = base(type, "mount-flag", value);
    }
  }
  let size: number | undefined;
  let mode: number | undefined;
  for (const field of fields) {
    const eq = field.indexOf("=");
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const v = eq < 0 ? undefined : field.slice(eq + 1);
    const needValue = () => {
      if (v === undefined) {
        throw new MountFlagError("--mount", value, `invalid field '${field}' must be a key=value pair`);
      }
      return v;
    };
    seen.push(key);
    switch (key) {
      case "type":
        break;
      case "source":
      case "src":
        m.source = needValue();
        break;
      case "target":
      case "dst":
      case "destination":
        m.target = needValue();
        break;
      case "readonly":
      case "ro":
        m.readOnly = parseBool(key, v, value);
        break;
      case "consistency":
        needValue();
        break;
      case "bind-propagation":
        if (!PROPAGATIONS.includes(needValue())) {
          throw daemonError(`invalid mount config for type "bind": invalid propagation mode: ${v}`);
        }
        m.propagation = v as string;
        break;
      case "volume-nocopy":
        m.copyData = !parseBool(key, v, value);
        break;
      case "volume-label": {
        const [lk, lv] = needValue().split("=", 2);
        m.volumeLabels[lk as string] = lv ?? "";
        break;
      }
      case "tmpfs-size":
        size = ramInBytes(needValue());
        if (size === undefined) {
          throw new MountFlagError("--mount", value, `invalid value for ${key}: ${v}`);
        }
        break;
      case "tmpfs-mode":
        mode = octal(needValue(), value);
        break;
      case "volume-driver":
        if (needValue() !== "local") {
          throw daemonError(`error looking up volume plugin ${v}: plugin "${v}" not found`);
        }
        break;
      case "volume-opt":
        throw new StrataError(
          "INVALID_ARGUMENT",
          "volume driver options (volume-opt) are not supported by strata",
        );
      case "bind-nonrecursive":
        throw new StrataError("INVALID_ARGUMENT", "bind-nonrecursive is not supported by strata");
      default:
        throw new MountFlagError("--mount", value, `unexpected key '${key}' in '${field}'`);
    }
  }
  if (m.target === "") throw new MountFlagError("--mount", value, "target is required");
  const mixes = (prefix: string) => seen.some((k) => k.startsWith(prefix));
  if (m.type !== "volume" && mixes("volume-")) {
    throw new MountFlagError("--mount", value, `cannot mix 'volume-*' options with mount type '${m.type}'`);
  }
  if (m.type !== "bind" && mixes("bind-")) {
    throw new MountFlagError("--mount", value, `cannot mix 'bind-*' options with mount type '${m.type}'`);
  }
  if (m.type !== "tmpfs" && mixes("tmpfs-")) {
    throw new MountFlagError("--mount", value, `cannot mix 'tmpfs-*' options with mount type '${m.type}'`);
  }
  if (m.type === "bind" && m.source === "") {
    throw daemonError(`invalid mount config for type "bind": field Source must not be empty`);
  }
  if (m.type === "tmpfs" && m.source !== "") {
    throw daemonError(`invalid mount config for type "tmpfs": field Source must not be specified`);
  }
  if (m.type === "bind" && !isAbsolute(m.source)) {
    throw daemonError(
      `invalid mount config for type "bind": invalid mount path: '${m.source}' mount path must be absolute`,
    );
  }
  if (m.type === "volume" && m.source !== "") checkVolumeName(m.source);
  if (m.type === "bind") m.source = posix.normalize(m.source);
  m.target = checkTarget(m.type, m.target);
  if (size !== undefined) m.tmpfsOptions.push(`size=${size}`);
  if (mode !== undefined) m.tmpfsOptions.push(`mode=${mode.toString(8)}`);
  return m;
}

/** `--tmpfs /path[:options]`. */
export function parseTmpfsFlag(value: string): MountRequest {
  const colon = value.indexOf(":");
  const target = colon < 0 ? value : value.slice(0, colon);
  const options = colon < 0 ? "" : value.slice(colon + 1);
  const m = base("tmpfs", "tmpfs-flag", value);
  m.target = checkTarget("tmpfs", target);
  m.tmpfsOptions = options.split(",").filter(Boolean);
  for (const o of m.tmpfsOptions) if (o === "ro") m.readOnly = true;
  return m;
}

/** Docker refuses two mounts on one path. */
export function checkDuplicates(mounts: MountRequest[]): void {
  const seen = new Set<string>();
  for (const m of mounts) {
    if (seen.has(m.target)) throw daemonError(`Duplicate mount point: ${m.target}`);
    seen.add(m.target);
  }
}
