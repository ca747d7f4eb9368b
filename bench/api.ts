/**
 * The API benchmark of issue 12: the same docker CLI binary (/usr/local/bin/docker)
 * against dockerd 20.10 (Debian's docker.io, its own socket) and against
 * `strata system service`, one busybox image imported into each, both stores
 * on one ext4 loop file system:
 *   a. docker ps -a with 100 containers            (target ≤ 1.2× dockerd)
 *   b. docker run --rm --network none busybox true (target ≤ 0.6× dockerd)
 *   c. docker images                               (target ≤ 1.2× dockerd)
 *   d. the service's idle RSS                      (target < 80 MB)
 *   e. first request after start (spawn → _ping answered) (target < 150 ms)
 * Run: npm run bench:api  (as root)
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CLI,
  DOCKER_SOCK,
  ensureCgroups,
  ensurePackages,
  MNT,
  mountScratch,
  NODE_START,
  startDocker,
  strataOn,
} from "./env.ts";
import { busyboxTar, cachePath } from "./images.ts";
import { type Measured, measure, median, report } from "./lib.ts";

const RUNS = Number(process.env.RUNS ?? 11);
const COUNT = Number(process.env.CONTAINERS ?? 100);
const DOCKER_BIN = "/usr/local/bin/docker";
const root = join(MNT, "strata-api");
const socket = join(MNT, "strata-api.sock");
const strataCli = strataOn(root);
const hosts = { strata: `unix://${socket}`, dockerd: `unix://${DOCKER_SOCK}` } as const;
type Side = keyof typeof hosts;
const dockerAt = (side: Side, ...args: string[]) => [DOCKER_BIN, "-H", hosts[side], ...args];

function sh(cmd: string[]): string {
  const r = spawnSync(cmd[0] as string, cmd.slice(1), {
    encoding: "utf8",
    env: { ...process.env, DOCKER_CONFIG: cachePath("docker-config") },
  });
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} exited ${r.status}: ${r.stderr.trim().slice(-300)}`);
  return r.stdout;
}

function ping(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: path, path: "/_ping" }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode === 200));
    });
    req.on("error", () => resolve(false));
    req.end();
  });
}

interface Service {
  pid: number;
  stop(): Promise<void>;
}

/** Starts the service; resolves once `_ping` answers, with the time that took. */
async function startService(): Promise<{ svc: Service; firstMs: number }> {
  rmSync(socket, { force: true });
  const start = process.hrtime.bigint();
  const child = spawn(CLI, ["--root", root, "system", "service", "--time", "0", `unix://${socket}`], {
    stdio: "ignore",
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error("strata system service exited");
    if (existsSync(socket) && (await ping(socket))) break;
    await sleep(1);
  }
  const firstMs = Number(process.hrtime.bigint() - start) / 1e6;
  return {
    firstMs,
    svc: {
      pid: child.pid as number,
      stop: async () => {
        if (child.exitCode !== null) return;
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      },
    },
  };
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function removeAll(side: Side): void {
  const ids = sh(dockerAt(side, "ps", "-aq"))
    .split("\n")
    .filter(Boolean);
  if (ids.length > 0) sh(dockerAt(side, "rm", "-f", ...ids));
}

function populate(side: Side): void {
  removeAll(side);
  for (let i = 0; i < COUNT; i++) sh(dockerAt(side, "create", "--network", "none", "busybox", "true"));
}

function verify(side: Side): void {
  const out = sh(dockerAt(side, "run", "--rm", "--network", "none", "busybox", "echo", "hi"));
  if (out !== "hi\n") throw new Error(`${side}: run --rm busybox echo hi printed ${JSON.stringify(out)}`);
}

async function main(): Promise<void> {
  ensurePackages(["docker.io", "crun", "conmon", "busybox-static", "time"]);
  mountScratch();
  ensureCgroups();
  const tar = busyboxTar();
  rmSync(root, { recursive: true, force: true });
  sh(strataCli("import", tar, "busybox"));
  const stopDocker = await startDocker();
  let svc: Service | undefined;
  try {
    spawnSync(DOCKER_BIN, ["-H", hosts.dockerd, "rmi", "-f", "busybox"], { stdio: "ignore" });
    sh(dockerAt("dockerd", "import", tar, "busybox"));
    const node = measure("node -e 0", NODE_START, { runs: RUNS });

    // e. first request after start, several cold starts.
    const firsts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await startService();
      firsts.push(s.firstMs);
      if (i < 4) await s.svc.stop();
      else svc = s.svc;
    }
    const idleRss = rssMb((svc as Service).pid);

    for (const side of ["strata", "dockerd"] as Side[]) verify(side);
    const rows: [string, Measured, Measured, number][] = [];
    const both = (label: string, args: string[], target: number) => {
      const s = measure(`${label} (strata)`, dockerAt("strata", ...args), { runs: RUNS });
      const d = measure(`${label} (dockerd)`, dockerAt("dockerd", ...args), { runs: RUNS });
      rows.push([label, s, d, target]);
    };
    both(
      "docker run --rm --network none busybox true",
      ["run", "--rm", "--network", "none", "busybox", "true"],
      0.6,
    );
    both("docker images", ["images"], 1.2);
    for (const side of ["strata", "dockerd"] as Side[]) populate(side);
    both(`docker ps -a (${COUNT} containers)`, ["ps", "-a"], 1.2);
    const busyRss = rssMb((svc as Service).pid);

    report([node, ...rows.flatMap(([, s, d]) => [s, d])]);
    process.stdout.write("\n| command | strata | dockerd | ratio | target |\n|---|---|---|---|---|\n");
    for (const [label, s, d, t] of rows) {
      const x = s.medianMs / d.medianMs;
      process.stdout.write(
        `| \`${label}\` | ${s.medianMs.toFixed(0)} ms | ${d.medianMs.toFixed(0)} ms | ${x.toFixed(2)}× | ≤ ${t}× ${x <= t ? "(met)" : "(NOT met)"} |\n`,
      );
    }
    const first = median(firsts);
    process.stdout.write(
      `| idle service RSS | ${idleRss.toFixed(0)} MB (${busyRss.toFixed(0)} MB after the runs) | | | < 80 MB ${idleRss < 80 ? "(met)" : "(NOT met)"} |\n`,
    );
    process.stdout.write(
      `| first request after start | ${first.toFixed(0)} ms (min ${Math.min(...firsts).toFixed(0)}) | | | < 150 ms ${first < 150 ? "(met)" : "(NOT met)"} |\n`,
    );
    process.stdout.write(
      `(node -e 0: ${node.medianMs.toFixed(0)} ms in this run; ${RUNS} runs each, medians)\n`,
    );
  } finally {
    try {
      removeAll("strata");
    } catch {}
    try {
      removeAll("dockerd");
    } catch {}
    await svc?.stop();
    spawnSync(DOCKER_BIN, ["-H", hosts.dockerd, "rmi", "-f", "busybox"], { stdio: "ignore" });
    stopDocker();
  }
}

await main();
