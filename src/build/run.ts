/**
 * RUN: the command in a real container, crun under the same spec as `run`
 * (Docker's namespaces, capabilities, masks), over the step's overlay, with
 * the stage's ENV/ARG environment, USER, WORKDIR and SHELL. `crun run` is the
 * container's parent here: the step needs no monitor that outlives strata,
 * and an abort (Ctrl-C) kills the container before the step is cleaned up.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyHostOptions, checkHostOptions } from "../container/host-config.ts";
import { StrataError } from "../errors.ts";
import { buildSpec, ensureCgroups, resolveUser, runtimePath, writeEtcFiles } from "../runtime/index.ts";
import { childProcess, randomBytes } from "../sys/builtins.ts";
import { processAlive } from "../sys/process.ts";
import type { Sandbox } from "./network.ts";
import type { StepSnapshot } from "./snapshot.ts";

export interface RunStepOptions {
  args: string[];
  env: string[];
  user: string;
  cwd: string;
  /** The host's network, none (only lo), or a sandbox on the default bridge (network.ts). */
  network: "host" | "none" | Sandbox;
  /** Extra read-only binds (heredoc scripts). */
  binds?: { source: string; destination: string }[];
  onOutput: (stream: "stdout" | "stderr", data: Buffer) => void;
  signal?: AbortSignal;
}

function crunArgs(): { bin: string; global: string[]; stateRoot?: string } {
  const bin = runtimePath();
  const crun = bin.endsWith("crun");
  // Both keep a directory per container under their state root (root's default, as strata runs them):
  // a glance at it replaces spawning `list` or `delete` (~5–8 ms each) when there is nothing to remove.
  const stateRoot = process.getuid?.() === 0 ? (crun ? "/run/crun" : "/run/runc") : undefined;
  return { bin, global: crun ? ["--cgroup-manager=cgroupfs"] : [], stateRoot };
}

/** The runtime's container IDs; from its state root when known, else from `list`. */
function runtimeIds(bin: string, global: string[], stateRoot: string | undefined): string[] {
  if (stateRoot) {
    try {
      return readdirSync(stateRoot);
    } catch {
      return [];
    }
  }
  const r = childProcess().spawnSync(bin, [...global, "list", "-q"], { encoding: "utf8" });
  return (r.stdout ?? "").split("\n");
}

/**
 * RUN containers are named `strata-build-<store>-<pid>-<random>`: a build
 * killed mid-RUN leaves a container the next build of the same store can
 * recognise as its own and remove (see cleanStaleBuildContainers).
 */
export function buildContainerPrefix(storeRoot: string): string {
  return `strata-build-${createHash("sha256").update(storeRoot).digest("hex").slice(0, 8)}-`;
}

/** Kills and deletes the RUN containers that builds of this store, now dead, left running. */
export function cleanStaleBuildContainers(storeRoot: string): void {
  const prefix = buildContainerPrefix(storeRoot);
  const { bin, global, stateRoot } = crunArgs();
  for (const id of runtimeIds(bin, global, stateRoot)) {
    if (!id.startsWith(prefix)) continue;
    const pid = Number(id.slice(prefix.length).split("-")[0]);
    if (processAlive(pid)) continue;
    childProcess().spawnSync(bin, [...global, "delete", "--force", id], { stdio: "ignore" });
  }
}

export async function runStep(snap: StepSnapshot, opts: RunStepOptions): Promise<void> {
  ensureCgroups();
  const rootfs = snap.merged;
  const user = resolveUser(rootfs, opts.user);
  const etcDir = join(snap.dir, "etc");
  const hostname = "buildkitsandbox";
  const sandbox = typeof opts.network === "string" ? undefined : opts.network;
  // A sandbox's namespace is joined as a container's on a bridge is: the spec's "none" plus its path.
  const network = sandbox ? "none" : (opts.network as "host" | "none");
  writeEtcFiles(etcDir, { hostname, network, resolvConf: sandbox?.resolvConf });
  // Docker's defaults for a container given no options (capabilities, the default seccomp filter), as `run` applies them.
  const spec = applyHostOptions(
    buildSpec({
      rootfs,
      args: opts.args,
      env: opts.env,
      cwd: opts.cwd,
      hostname,
      tty: false,
      network,
      netnsPath: sandbox?.netns,
      etcDir,
      user,
    }),
    checkHostOptions({}),
  );
  for (const b of opts.binds ?? []) {
    spec.mounts.push({
      destination: b.destination,
      type: "bind",
      source: b.source,
      options: ["rbind", "ro"],
    });
  }
  const bundle = join(snap.dir, "bundle");
  mkdirSync(bundle, { recursive: true });
  writeFileSync(join(bundle, "config.json"), JSON.stringify(spec));
  const id = `${buildContainerPrefix(snap.store.root)}${process.pid}-${randomBytes(6).toString("hex")}`;
  const { bin, global, stateRoot } = crunArgs();
  const code = await new Promise<number>((resolve, reject) => {
    const child = childProcess().spawn(bin, [...global, "run", "--bundle", bundle, id], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => opts.onOutput("stdout", d));
    child.stderr?.on("data", (d: Buffer) => opts.onOutput("stderr", d));
    const abort = () => {
      childProcess().spawnSync(bin, [...global, "kill", id, "KILL"], { stdio: "ignore" });
    };
    opts.signal?.addEventListener("abort", abort, { once: true });
    child.on("error", (err) => reject(new StrataError("RUNTIME_ERROR", `cannot run ${bin}`, { cause: err })));
    child.on("close", (c, sig) => {
      opts.signal?.removeEventListener("abort", abort);
      // A leftover record (the run was killed mid-way) must not outlive the step; `run` in the
      // foreground removes its own when the container exits.
      if (!stateRoot || existsSync(join(stateRoot, id))) {
        childProcess().spawnSync(bin, [...global, "delete", "--force", id], { stdio: "ignore" });
      }
      resolve(c ?? (sig ? 128 + 9 : 1));
    });
  });
  if (opts.signal?.aborted) throw new StrataError("ABORTED", "build canceled");
  if (code !== 0) {
    throw new StrataError(
      "RUNTIME_ERROR",
      `executor failed running [${opts.args.join(" ")}]: exit code: ${code}`,
      {
        details: { runExitCode: code, build: true },
      },
    );
  }
}
