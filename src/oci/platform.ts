/**
 * Platforms (`linux/arm64/v8`) with Docker's normalisation: the spellings
 * users and `uname` produce (x86_64, aarch64, armhf) become the OCI names,
 * arm without a variant means v7 and arm64's variant 8 is written v8.
 */
import { StrataError } from "../errors.ts";

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const KNOWN_OS = new Set([
  "aix",
  "android",
  "darwin",
  "dragonfly",
  "freebsd",
  "hurd",
  "illumos",
  "ios",
  "js",
  "linux",
  "nacl",
  "netbsd",
  "openbsd",
  "plan9",
  "solaris",
  "windows",
  "zos",
]);

const KNOWN_ARCH = new Set([
  "386",
  "amd64",
  "amd64p32",
  "arm",
  "armbe",
  "arm64",
  "arm64be",
  "loong64",
  "mips",
  "mipsle",
  "mips64",
  "mips64le",
  "mips64p32",
  "mips64p32le",
  "ppc",
  "ppc64",
  "ppc64le",
  "riscv",
  "riscv64",
  "s390",
  "s390x",
  "sparc",
  "sparc64",
  "wasm",
]);

export function normalizeOS(os: string): string {
  const o = os.toLowerCase();
  return o === "macos" ? "darwin" : o;
}

/** containerd's normalizeArch, but keeping arm64's v8 spelled out as Docker shows it. */
export function normalizeArch(arch: string, variant = ""): { architecture: string; variant?: string } {
  let a = arch.toLowerCase();
  let v = variant.toLowerCase();
  switch (a) {
    case "i386":
    case "i686":
      a = "386";
      v = "";
      break;
    case "x86_64":
    case "x86-64":
      a = "amd64";
      break;
    case "aarch64":
    case "arm64":
      a = "arm64";
      if (v === "8" || v === "v8" || v === "v8.0") v = "v8";
      else if (v === "9" || v === "9.0" || v === "v9.0") v = "v9";
      else if (/^\d+(\.\d+)?$/.test(v)) v = `v${v}`;
      break;
    case "armhf":
      a = "arm";
      v = "v7";
      break;
    case "armel":
      a = "arm";
      v = "v6";
      break;
    case "arm":
      if (v === "" || v === "7") v = "v7";
      else if (v === "5" || v === "6" || v === "8") v = `v${v}`;
      break;
  }
  return v === "" ? { architecture: a } : { architecture: a, variant: v };
}

export function normalizePlatform(p: Platform): Platform {
  return { os: normalizeOS(p.os), ...normalizeArch(p.architecture, p.variant) };
}

/** `linux/arm64/v8`; the variant only when there is one. */
export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

const COMPONENT_RE = /^[A-Za-z0-9_.-]+$/;

/**
 * Parses `--platform` values as Docker does: `os`, `arch`, `os/arch` or
 * `os/arch/variant`. A single component is an OS if it names one (the host's
 * architecture is added) or else an architecture (the host's OS is added).
 */
export function parsePlatform(specifier: string): Platform {
  const parts = specifier.split("/");
  const bad = (why: string) =>
    new StrataError("INVALID_ARGUMENT", `"${specifier}": ${why}: invalid argument`, {
      details: { platform: specifier },
    });
  if (parts.some((p) => !COMPONENT_RE.test(p))) throw bad("invalid platform component");
  if (parts.length > 3) throw bad("cannot parse platform specifier");
  if (parts.length === 1) {
    const os = normalizeOS(parts[0]);
    if (KNOWN_OS.has(os)) {
      const host = hostPlatform();
      return { os, architecture: host.architecture, ...(host.variant ? { variant: host.variant } : {}) };
    }
    const arch = normalizeArch(parts[0]);
    if (KNOWN_ARCH.has(arch.architecture)) return { os: hostPlatform().os, ...arch };
    throw bad("unknown operating system or architecture");
  }
  return { os: normalizeOS(parts[0]), ...normalizeArch(parts[1], parts[2] ?? "") };
}

const NODE_ARCH: Record<string, string> = {
  x64: "amd64",
  ia32: "386",
  arm64: "arm64",
  arm: "arm",
  // Node's ppc64 on Linux is little-endian.
  ppc64: "ppc64le",
  s390x: "s390x",
  riscv64: "riscv64",
  loong64: "loong64",
  mips: "mips",
  mipsel: "mipsle",
};

/**
 * The platform this process runs on, as Docker names it by default. amd64
 * gets no micro-architecture level (Docker's message reads `linux/amd64`);
 * arm64 is `v8` and 32-bit arm takes the variant Node was built for.
 */
export function hostPlatform(): Platform {
  const os = process.platform === "win32" ? "windows" : process.platform;
  const architecture = NODE_ARCH[process.arch] ?? process.arch;
  if (architecture === "arm64") return { os, architecture, variant: "v8" };
  if (architecture === "arm") {
    const v = (process.config.variables as Record<string, unknown>).arm_version;
    return { os, architecture, variant: `v${typeof v === "string" || typeof v === "number" ? v : 7}` };
  }
  return { os, architecture };
}
