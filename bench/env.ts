/**
 * The benchmark environment: one journaled ext4 file system in a loop file
 * for every store (the root file system here has no journal, which makes
 * file creation after deletes erratic: see machine notes), a real registry on
 * 127.0.0.1, a Docker daemon (Debian's docker.io) on its own socket, and
 * Podman (Debian's) on its own root and run root.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cachePath } from "./images.ts";

/** dist/strata.js, or the copy STRATA_CLI names. */
export const CLI = process.env.STRATA_CLI ?? join(process.cwd(), "dist", "strata.js");

/** strata on `root` as a user runs it: dist/strata.js through its launcher line, not `node dist/strata.js`. */
export const strataOn =
  (root: string) =>
  (...args: string[]): string[] => [CLI, "--root", root, ...args];

/**
 * Node's bare start, as strata's launcher line starts Node: without NODE_EXTRA_CA_CERTS, which
 * Node 20 would parse first (src/sys/extra-ca.ts), and through env, as the launcher goes.
 */
export const NODE_START = ["/usr/bin/env", "-u", "NODE_EXTRA_CA_CERTS", process.execPath, "-e", "0"];

export const MNT = process.env.STRATA_BENCH_MNT ?? "/mnt/strata-bench";
export const DOCKER_SOCK = "/run/strata-bench-docker.sock";
export const PODMAN_RUN = "/run/strata-bench-podman";

/** Installs the Debian packages that are missing (nothing when all are there). */
export function ensurePackages(packages: string[]): void {
  const installed = (p: string) =>
    spawnSync("dpkg-query", ["-s", p], { encoding: "utf8" }).stdout.includes("Status: install ok installed");
  const missing = packages.filter((p) => !installed(p));
  if (missing.length === 0) return;
  process.stderr.write(`bench: installing ${missing.join(" ")}\n`);
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

/**
 * crun (Podman's runtime here, and the bare floor) refuses hybrid cgroups with
 * a controller on cgroup2: mount each such controller as its own v1
 * hierarchy, as strata does for itself (see machine notes). Idempotent.
 */
export function ensureCgroups(): void {
  const list = "/sys/fs/cgroup/unified/cgroup.controllers";
  if (!existsSync(list)) return;
  for (const c of readFileSync(list, "utf8").split(/\s+/).filter(Boolean)) {
    const dir = `/sys/fs/cgroup/${c}`;
    if (spawnSync("mountpoint", ["-q", dir]).status === 0) continue;
    mkdirSync(dir, { recursive: true });
    execFileSync("mount", ["-t", "cgroup", "-o", c, "cgroup", dir]);
  }
}

export function mountScratch(): void {
  const mounted = spawnSync("mountpoint", ["-q", MNT]).status === 0;
  if (mounted) return;
  const img = cachePath("scratch.ext4");
  if (!existsSync(img)) {
    execFileSync("truncate", ["-s", "24G", img]);
    execFileSync("mkfs.ext4", ["-q", img]);
  }
  mkdirSync(MNT, { recursive: true });
  execFileSync("mount", ["-o", "loop,noatime", img, MNT]);
}

/** A dockerd's own socket, data root, exec root and pid file, by name: benches running at once each start, clear and stop theirs. */
export const dockerSock = (name = "docker") => `/run/strata-bench-${name}.sock`;

/** The docker CLI against the named daemon. */
export const dockerOn =
  (name = "docker") =>
  (...args: string[]) => ["docker", "-H", `unix://${dockerSock(name)}`, ...args];

/**
 * Starts the named dockerd and waits until it answers. Without `networking`
 * it has no bridge and no iptables rules (benches that do not publish ports).
 */
export async function startDocker(name = "docker", { networking = false } = {}): Promise<() => void> {
  if (!existsSync("/usr/sbin/dockerd")) throw new Error("dockerd missing: apt-get install docker.io");
  const args = ["-H", `unix://${dockerSock(name)}`, "--data-root", join(MNT, name)];
  args.push("--exec-root", `/run/strata-bench-${name}`, "--pidfile", `/run/strata-bench-${name}.pid`);
  args.push("--storage-driver", "overlay2", ...(networking ? [] : ["--iptables=false", "--bridge=none"]));
  const child = spawn("dockerd", args, { stdio: "ignore", detached: true });
  const version = dockerOn(name)("version");
  for (let i = 0; i < 100; i++) {
    if (spawnSync(version[0] as string, version.slice(1), { stdio: "ignore" }).status === 0) {
      return () => {
        try {
          process.kill(child.pid as number, "SIGTERM");
        } catch {}
      };
    }
    await sleep(200);
  }
  child.kill();
  throw new Error("dockerd did not start");
}

export const docker = dockerOn();

/**
 * Podman's containers.conf for the bench (CONTAINERS_CONF, so the host's own
 * is not read). Root lacks CAP_SYS_RESOURCE here and Podman lowers its own
 * nproc limit to 32768 at start, so its default container ulimits (nofile
 * 1048576, nproc 4194304) fail in crun: ask for no more than conmon has.
 */
export function setupPodman(): void {
  const hard = (row: string) => {
    const m = new RegExp(`^${row}\\s+\\S+\\s+(\\d+)`, "m").exec(readFileSync("/proc/self/limits", "utf8"));
    return m ? Number(m[1]) : Number.POSITIVE_INFINITY;
  };
  const nofile = Math.min(hard("Max open files"), 1048576);
  const nproc = Math.min(hard("Max processes"), 32768);
  const conf = join(MNT, "podman", "containers.conf");
  mkdirSync(join(MNT, "podman"), { recursive: true });
  writeFileSync(
    conf,
    `[containers]\ndefault_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]\n`,
  );
  process.env.CONTAINERS_CONF = conf;
}

/** Podman on the bench file system: no systemd here, so cgroupfs and a file event log. */
export const podman = (...args: string[]) => [
  "podman",
  "--root",
  join(MNT, "podman", "root"),
  "--runroot",
  PODMAN_RUN,
  "--tmpdir",
  join(PODMAN_RUN, "tmp"),
  "--storage-driver",
  "overlay",
  "--cgroup-manager",
  "cgroupfs",
  "--runtime",
  "crun",
  "--events-backend",
  "file",
  ...args,
];
