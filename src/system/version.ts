/**
 * What `version` reports about the engine (Docker's types.Version): strata's
 * own version, the API it serves, and the versions of the runtime and
 * monitor it drives, asked from the binaries themselves.
 */
import { arch, release } from "node:os";
import { conmonPath, defaultRuntime, runtimePath } from "../runtime/index.ts";
import { childProcess } from "../sys/builtins.ts";

export const STRATA_VERSION = process.env.STRATA_VERSION ?? "0.1.0";

/** Set by scripts/bundle.mjs from git (the source's commit and its date); absent when run from source. */
declare const __STRATA_BUILD__: { commit: string; time: string } | undefined;

/** The build's commit (7 hex digits, as Docker's) and time (RFC 3339); empty when run from source. */
export const BUILD: { commit: string; time: string } =
  typeof __STRATA_BUILD__ === "undefined" ? { commit: "", time: "" } : __STRATA_BUILD__;
export const API_VERSION = "1.44";
export const MIN_API_VERSION = "1.24";

export interface ComponentVersion {
  Name: string;
  Version: string;
  Details: Record<string, string>;
}

export interface EngineVersion {
  Platform: { Name: string };
  Components: ComponentVersion[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion: string;
  BuildTime: string;
}

/** Go's GOARCH names for Node's. */
export function goArch(a: string = arch()): string {
  return (
    (
      { x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x" } as Record<
        string,
        string
      >
    )[a] ?? a
  );
}

/** `<tool> --version`'s first line's version number and its commit line, or "" when it cannot be run. */
function toolVersion(path: string): { version: string; commit: string } {
  try {
    const out = childProcess().execFileSync(path, ["--version"], { encoding: "utf8", timeout: 5000 });
    const version = /version\s+(\S+)/i.exec(out)?.[1] ?? "";
    const commit = /commit:\s*(\S+)/i.exec(out)?.[1] ?? "";
    return { version, commit };
  } catch {
    return { version: "", commit: "" };
  }
}

export function engineVersion(): EngineVersion {
  const components: ComponentVersion[] = [
    {
      Name: "Engine",
      Version: STRATA_VERSION,
      Details: {
        ApiVersion: API_VERSION,
        Arch: goArch(),
        BuildTime: BUILD.time,
        Experimental: "false",
        GitCommit: BUILD.commit,
        GoVersion: `node${process.versions.node}`,
        KernelVersion: release(),
        MinAPIVersion: MIN_API_VERSION,
        Os: "linux",
      },
    },
  ];
  const tools: [string, () => string][] = [
    [defaultRuntimeName(), () => runtimePath()],
    ["conmon", () => conmonPath()],
  ];
  for (const [name, path] of tools) {
    let p: string;
    try {
      p = path();
    } catch {
      continue;
    }
    const v = toolVersion(p);
    components.push({ Name: name, Version: v.version, Details: { GitCommit: v.commit } });
  }
  return {
    Platform: { Name: "strata" },
    Components: components,
    Version: STRATA_VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: BUILD.commit,
    GoVersion: `node${process.versions.node}`,
    Os: "linux",
    Arch: goArch(),
    KernelVersion: release(),
    BuildTime: "",
  };
}

function defaultRuntimeName(): string {
  try {
    return defaultRuntime();
  } catch {
    return "runtime";
  }
}
