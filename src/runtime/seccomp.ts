/**
 * Seccomp for containers, as Docker and Podman apply it: a profile in
 * Docker's format (defaultAction, archMap, syscalls with includes/excludes by
 * architecture and capability) is translated into the OCI spec's
 * linux.seccomp for this machine's architecture and the container's
 * capability set, as moby's profiles/seccomp/seccomp_linux.go does. The
 * default profile is the one Podman uses, shipped by Debian's
 * golang-github-containers-common as /usr/share/containers/seccomp.json
 * (Docker compiles its own into dockerd; both block the same dangerous calls,
 * Podman's answers unknown syscalls with ENOSYS instead of EPERM).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type * as Zod from "zod";
import { StrataError } from "../errors.ts";

export const DEFAULT_PROFILE_PATHS = ["/usr/share/containers/seccomp.json", "/etc/containers/seccomp.json"];

/**
 * The profile schema, built on first use: zod costs milliseconds to load and
 * this module is reached by every command that loads the runtime.
 */
function build(z: typeof Zod.z) {
  const argSchema = z.object({
    index: z.number().int().nonnegative(),
    value: z.number().nonnegative(),
    valueTwo: z.number().nonnegative().optional(),
    op: z.string(),
  });

  const filterSchema = z
    .object({
      arches: z.array(z.string()).nullish(),
      caps: z.array(z.string()).nullish(),
      minKernel: z.string().nullish(),
    })
    .nullish();

  const syscallSchema = z.object({
    name: z.string().optional(),
    names: z.array(z.string()).nullish(),
    action: z.string(),
    errnoRet: z.number().int().nullish(),
    args: z.array(argSchema).nullish(),
    includes: filterSchema,
    excludes: filterSchema,
  });

  const profileSchema = z.object({
    defaultAction: z.string(),
    defaultErrnoRet: z.number().int().nullish(),
    architectures: z.array(z.string()).nullish(),
    archMap: z
      .array(z.object({ architecture: z.string(), subArchitectures: z.array(z.string()).nullish() }))
      .nullish(),
    flags: z.array(z.string()).nullish(),
    syscalls: z.array(syscallSchema).nullish(),
  });

  return profileSchema;
}

let schema: ReturnType<typeof build> | undefined;

function profileSchema() {
  if (!schema) schema = build((createRequire(import.meta.filename)("zod") as typeof Zod).z);
  return schema;
}

export type SeccompProfile = Zod.z.infer<ReturnType<typeof build>>;

export interface OciSeccompSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo: number; op: string }[];
}

export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  syscalls: OciSeccompSyscall[];
}

/** Node's process.arch → Go's GOARCH (the names profiles use in `includes.arches`). */
const GOARCH: Record<string, string> = {
  x64: "amd64",
  ia32: "386",
  arm64: "arm64",
  arm: "arm",
  ppc64: "ppc64le",
  s390x: "s390x",
  mips64el: "mips64le",
  riscv64: "riscv64",
};

/** GOARCH → the seccomp architecture whose archMap entry applies (moby's nativeToSeccomp). */
const SECCOMP_ARCH: Record<string, string> = {
  amd64: "SCMP_ARCH_X86_64",
  "386": "SCMP_ARCH_X86",
  arm64: "SCMP_ARCH_AARCH64",
  arm: "SCMP_ARCH_ARM",
  ppc64le: "SCMP_ARCH_PPC64LE",
  s390x: "SCMP_ARCH_S390X",
  mips64le: "SCMP_ARCH_MIPSEL64",
  riscv64: "SCMP_ARCH_RISCV64",
};

/** Parses a profile in Docker's JSON format; a bad one is Docker's `Decoding seccomp profile failed`. */
export function parseSeccompProfile(text: string): SeccompProfile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StrataError("INVALID_ARGUMENT", `Decoding seccomp profile failed: ${(err as Error).message}`, {
      details: { daemon: true },
    });
  }
  const parsed = profileSchema().safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StrataError(
      "INVALID_ARGUMENT",
      `Decoding seccomp profile failed: ${issue?.path.join(".")}: ${issue?.message}`,
      { details: { daemon: true } },
    );
  }
  return parsed.data;
}

let defaultProfile: SeccompProfile | undefined;

/** The default profile from Debian's package, read once per process. */
export function loadDefaultProfile(paths = DEFAULT_PROFILE_PATHS): SeccompProfile {
  if (defaultProfile && paths === DEFAULT_PROFILE_PATHS) return defaultProfile;
  for (const p of paths) {
    let text: string;
    try {
      text = readFileSync(p, "utf8");
    } catch {
      continue;
    }
    // Debian's own file, read at every start: JSON.parse only, the schema check is for users' profiles.
    const profile = JSON.parse(text) as SeccompProfile;
    if (typeof profile.defaultAction !== "string") parseSeccompProfile(text);
    if (paths === DEFAULT_PROFILE_PATHS) defaultProfile = profile;
    return profile;
  }
  throw new StrataError(
    "RUNTIME_MISSING",
    `the default seccomp profile is missing (looked for ${paths.join(", ")})`,
    {
      hint: "apt-get install golang-github-containers-common, or run with --security-opt seccomp=unconfined",
    },
  );
}

function kernelAtLeast(min: string, release: string): boolean {
  const parse = (v: string) => v.split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0);
  const [a, b] = [parse(release), parse(min)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

export interface SeccompContext {
  /** The container's bounding capability set (after --cap-add/--cap-drop). */
  capabilities: string[];
  /** Node's process.arch; the machine's by default. */
  arch?: string;
  /** The kernel release (`uname -r`), for `minKernel` conditions. */
  kernel?: string;
}

/**
 * The OCI linux.seccomp for a profile: the architectures of this machine,
 * and the syscall rules whose `includes` hold and whose `excludes` do not.
 */
export function seccompSpec(profile: SeccompProfile, ctx: SeccompContext): OciSeccomp {
  const goarch = GOARCH[ctx.arch ?? process.arch] ?? ctx.arch ?? process.arch;
  const kernel = ctx.kernel ?? kernelRelease();
  const caps = new Set(ctx.capabilities);
  const out: OciSeccomp = { defaultAction: profile.defaultAction, syscalls: [] };
  if (profile.defaultErrnoRet != null) out.defaultErrnoRet = profile.defaultErrnoRet;
  const native = SECCOMP_ARCH[goarch];
  const arches = [...(profile.architectures ?? [])];
  for (const a of profile.archMap ?? []) {
    if (a.architecture === native) arches.push(a.architecture, ...(a.subArchitectures ?? []));
  }
  if (arches.length > 0) out.architectures = arches;
  if (profile.flags && profile.flags.length > 0) out.flags = profile.flags;
  for (const call of profile.syscalls ?? []) {
    if (call.name && call.names && call.names.length > 0) {
      throw new StrataError("INVALID_ARGUMENT", "use either 'name' or 'names'");
    }
    const names = call.name ? [call.name] : (call.names ?? []);
    const ex = call.excludes;
    if (ex?.arches?.includes(goarch)) continue;
    if (ex?.caps?.some((c) => caps.has(c))) continue;
    if (ex?.minKernel && kernelAtLeast(ex.minKernel, kernel)) continue;
    const inc = call.includes;
    if (inc?.arches && inc.arches.length > 0 && !inc.arches.includes(goarch)) continue;
    if (inc?.caps && !inc.caps.every((c) => caps.has(c))) continue;
    if (inc?.minKernel && !kernelAtLeast(inc.minKernel, kernel)) continue;
    const rule: OciSeccompSyscall = { names, action: call.action };
    if (call.errnoRet != null) rule.errnoRet = call.errnoRet;
    if (call.args && call.args.length > 0) {
      rule.args = call.args.map((a) => ({
        index: a.index,
        value: a.value,
        valueTwo: a.valueTwo ?? 0,
        op: a.op,
      }));
    }
    out.syscalls.push(rule);
  }
  return out;
}

let release: string | undefined;

function kernelRelease(): string {
  if (release === undefined) {
    try {
      release = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
    } catch {
      release = "0";
    }
  }
  return release;
}
