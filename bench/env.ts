/**
 * The benchmark environment: one journaled ext4 file system in a loop file
 * for every store (the root file system here has no journal, which makes
 * file creation after deletes erratic: see machine notes), a real registry on
 * 127.0.0.1, and a Docker daemon (Debian's docker.io) on its own socket.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CACHE } from "./images.ts";

export const MNT = process.env.STRATA_BENCH_MNT ?? "/mnt/strata-bench";
export const DOCKER_SOCK = "/run/strata-bench-docker.sock";

export function mountScratch(): void {
  const mounted = spawnSync("mountpoint", ["-q", MNT]).status === 0;
  if (mounted) return;
  const img = join(CACHE, "scratch.ext4");
  if (!existsSync(img)) {
    execFileSync("truncate", ["-s", "24G", img]);
    execFileSync("mkfs.ext4", ["-q", img]);
  }
  mkdirSync(MNT, { recursive: true });
  execFileSync("mount", ["-o", "loop,noatime", img, MNT]);
}

export async function startDocker(): Promise<() => void> {
  if (!existsSync("/usr/sbin/dockerd")) throw new Error("dockerd missing: apt-get install docker.io");
  const child = spawn(
    "dockerd",
    [
      "-H",
      `unix://${DOCKER_SOCK}`,
      "--data-root",
      join(MNT, "docker"),
      "--exec-root",
      "/run/strata-bench-docker",
      "--pidfile",
      "/run/strata-bench-docker.pid",
      "--storage-driver",
      "overlay2",
      "--iptables=false",
      "--bridge=none",
    ],
    { stdio: "ignore", detached: true },
  );
  for (let i = 0; i < 100; i++) {
    if (spawnSync("docker", ["-H", `unix://${DOCKER_SOCK}`, "version"], { stdio: "ignore" }).status === 0) {
      return () => {
        try {
          process.kill(child.pid!, "SIGTERM");
        } catch {}
      };
    }
    await sleep(200);
  }
  child.kill();
  throw new Error("dockerd did not start");
}

export const docker = (...args: string[]) => ["docker", "-H", `unix://${DOCKER_SOCK}`, ...args];
