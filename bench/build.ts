/**
 * Build benchmark of issue 9: strata, Docker 20.10 (BuildKit and the classic
 * builder) and Podman 4.3 (buildah) in one run, all stores on the bench's
 * ext4 loop file system, the same busybox base imported into each, and the
 * same Dockerfile: RUN, COPY of a 2,000-file context, RUN.
 *   cold         --no-cache (every step runs, the context is hashed again)
 *   no-op        the same build again (all cache)
 *   one file     one context file changed, then built (COPY and the last RUN run)
 * Every engine builds with --network host; strata's cold build on its default bridge is
 * timed after, to show what the RUN sandbox adds.
 * Targets: cold ≤ 1.0× BuildKit, no-op ≤ 1.3× BuildKit, one file ≤ 1.0×
 * BuildKit, each ≤ 0.5× Podman. SEED=1 also times the seed's apt Dockerfile
 * (examples/servidorweb) once against BuildKit on a debootstrap minbase base.
 * Run: npm run bench:build  (as root)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  docker,
  ensureCgroups,
  ensurePackages,
  MNT,
  mountScratch,
  NODE_START,
  podman,
  setupPodman,
  startDocker,
  strataOn,
} from "./env.ts";
import { busyboxTar, cachePath, minbase } from "./images.ts";
import { type Measured, measure } from "./lib.ts";

const RUNS = Number(process.env.RUNS ?? 7);
const FILES = 2000;
const strataRoot = join(MNT, "strata-build");
const strata = strataOn(strataRoot);

type Engine = "strata" | "buildkit" | "classic" | "podman";
const ENGINES: Engine[] = ["strata", "buildkit", "classic", "podman"];
const ENV: Record<Engine, NodeJS.ProcessEnv> = {
  strata: process.env,
  buildkit: { ...process.env, DOCKER_BUILDKIT: "1" },
  classic: { ...process.env, DOCKER_BUILDKIT: "0" },
  podman: process.env,
};
/**
 * Debian's docker.io client (20.10, /usr/bin/docker) builds with the daemon's
 * BuildKit; a newer client elsewhere on PATH insists on buildx.
 */
const DOCKER_CLI = existsSync("/usr/bin/docker") ? "/usr/bin/docker" : "docker";
const dockerCmd = (...args: string[]) => [DOCKER_CLI, ...docker(...args).slice(1)];
const cli = (e: Engine, ...args: string[]) =>
  e === "strata" ? strata(...args) : e === "podman" ? podman(...args) : dockerCmd(...args);

function sh(cmd: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd[0] as string, cmd.slice(1), { encoding: "utf8", env, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} exited ${r.status}: ${r.stderr.trim().slice(-400)}`);
  return r.stdout;
}

/** The context: a Dockerfile and 2,000 small files in ctx/ (10 directories of 200). */
function context(): string {
  const dir = join(MNT, "build-context");
  rmSync(dir, { recursive: true, force: true });
  for (let i = 0; i < FILES; i++) {
    const sub = join(dir, "ctx", `d${i % 10}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}.txt`), `file ${i}\n`);
  }
  writeFileSync(
    join(dir, "Dockerfile"),
    "FROM busybox:latest\nRUN echo one > /one\nCOPY ctx/ /ctx/\nRUN find /ctx -type f | wc -l > /count\n",
  );
  return dir;
}

let flip = 0;
/**
 * New content no engine can have cached: a counter alone repeats across bench runs, and
 * Docker's and Podman's stores outlive one (BuildKit then "rebuilt" from an old run's cache).
 */
function changeOneFile(dir: string): void {
  flip++;
  writeFileSync(join(dir, "ctx", "d0", "f0.txt"), `file 0, change ${flip} at ${Date.now()} ${process.pid}\n`);
}

/** Host networking for every engine: the figures compare builders, not their bridges (strata's is timed on its own below). */
function buildCmd(e: Engine, dir: string, extra: string[] = []): string[] {
  const net = ["--network", "host"];
  return cli(e, "build", "-q", ...net, ...extra, "-t", "bench-build:latest", dir);
}

type Result = Measured | { error: string };
const ok = (r?: Result): r is Measured => r !== undefined && "medianMs" in r;

function attempt(name: string, cmd: string[], env: NodeJS.ProcessEnv, setup?: () => void): Result {
  try {
    return measure(name, cmd, { runs: RUNS, env, setup });
  } catch (err) {
    return { error: (err as Error).message.replace(/\s+/g, " ").slice(0, 300) };
  }
}

/** The image really holds 2,000 files: the last RUN counted them. */
function verify(e: Engine): string | undefined {
  try {
    const out = sh(cli(e, "run", "--rm", "--network", "host", "bench-build:latest", "cat", "/count"));
    return out.trim() === String(FILES) ? undefined : `count ${out.trim()}`;
  } catch (err) {
    return (err as Error).message.slice(0, 200);
  }
}

function seedBench(): void {
  // The pull bench's cached minbase root (debootstrap --variant=minbase bookworm), as one tarball.
  const tar = cachePath("debian-minbase.tar");
  if (!existsSync(tar)) {
    execFileSync("tar", ["-C", minbase(), "--numeric-owner", "-cf", `${tar}.tmp`, "."]);
    renameSync(`${tar}.tmp`, tar);
  }
  const rows: [string, number][] = [];
  for (const e of ["strata", "buildkit"] as Engine[]) {
    sh(cli(e, "import", tar, "debian-minbase:latest"), ENV[e]);
    const start = performance.now();
    sh(
      cli(
        e,
        "build",
        "-q",
        "--no-cache",
        "--network",
        "host",
        "--build-arg",
        "BASE=debian-minbase:latest",
        "-f",
        "examples/servidorweb/Dockerfile",
        "-t",
        "servidorweb:v1",
        "examples/servidorweb/v1",
      ),
      ENV[e],
    );
    rows.push([e, performance.now() - start]);
  }
  const [s, d] = rows.map(([, ms]) => ms) as [number, number];
  process.stdout.write(
    `\nseed Dockerfile (apt-get install apache2, once): strata ${(s / 1000).toFixed(2)} s, BuildKit ${(d / 1000).toFixed(2)} s, ${(s / d).toFixed(2)}×\n`,
  );
}

async function main(): Promise<void> {
  ensurePackages([
    "docker.io",
    "podman",
    "crun",
    "conmon",
    "busybox-static",
    "time",
    "debootstrap",
    "netavark",
    "aardvark-dns",
    "iptables",
  ]);
  mountScratch();
  ensureCgroups();
  setupPodman();
  const tar = busyboxTar();
  rmSync(strataRoot, { recursive: true, force: true });
  const stopDocker = await startDocker();
  try {
    for (const e of ENGINES) {
      if (e === "classic") continue;
      sh(cli(e, "import", tar, "busybox:latest"), ENV[e]);
    }
    const dir = context();
    const node = measure("node -e 0", NODE_START, { runs: RUNS });
    const results: Record<string, Partial<Record<Engine, Result>>> = { cold: {}, noop: {}, one: {} };
    const notes: string[] = [];
    for (const e of ENGINES) {
      results.cold[e] = attempt(`${e} cold`, buildCmd(e, dir, ["--no-cache"]), ENV[e]);
      const bad = verify(e);
      if (bad) notes.push(`${e}: the built image is wrong: ${bad}`);
      results.noop[e] = attempt(`${e} no-op`, buildCmd(e, dir), ENV[e]);
      results.one[e] = attempt(`${e} one file`, buildCmd(e, dir), ENV[e], () => changeOneFile(dir));
    }
    const ms = (r?: Result) => (ok(r) ? `${r.medianMs.toFixed(0)} ms` : "FAILED");
    const target: Record<string, number> = { cold: 1.0, noop: 1.3, one: 1.0 };
    const label: Record<string, string> = {
      cold: "cold (--no-cache)",
      noop: "no-op rebuild",
      one: "one file changed",
    };
    process.stdout.write(
      `\n${"".padEnd(20)}${ENGINES.map((e) => e.padStart(12)).join("")}   strata/BuildKit   strata/Podman\n`,
    );
    for (const k of ["cold", "noop", "one"]) {
      const row = results[k] as Partial<Record<Engine, Result>>;
      const s = row.strata;
      const rb = ok(s) && ok(row.buildkit) ? s.medianMs / row.buildkit.medianMs : Number.NaN;
      const rp = ok(s) && ok(row.podman) ? s.medianMs / row.podman.medianMs : Number.NaN;
      const mark = (x: number, t: number) => (Number.isNaN(x) ? "" : x <= t ? " ✓" : ` ✗ (≤ ${t})`);
      process.stdout.write(
        `${(label[k] as string).padEnd(20)}${ENGINES.map((e) => ms(row[e]).padStart(12)).join("")}   ${`${rb.toFixed(2)}×${mark(rb, target[k] as number)}`.padEnd(18)}${rp.toFixed(2)}×${mark(rp, 0.5)}\n`,
      );
    }
    process.stdout.write(
      `(node -e 0: ${node.medianMs.toFixed(0)} ms; median of ${RUNS} runs; ${FILES}-file context)\n`,
    );
    for (const [k, row] of Object.entries(results)) {
      for (const [e, r] of Object.entries(row)) if (r && !ok(r)) notes.push(`FAILED ${k}, ${e}: ${r.error}`);
    }
    // What the default network (a sandbox on strata's bridge, once per build) adds to a cold build.
    const bridged = attempt(
      "strata cold, default network",
      strata("build", "-q", "--no-cache", "-t", "bench-build:latest", dir),
      ENV.strata,
    );
    const hostCold = results.cold.strata;
    if (ok(bridged) && ok(hostCold)) {
      process.stdout.write(
        `strata cold on the default bridge: ${bridged.medianMs.toFixed(0)} ms, ${(bridged.medianMs - hostCold.medianMs).toFixed(0)} ms more than with --network host (one sandbox for the build's two RUNs)\n`,
      );
    } else if (!ok(bridged)) notes.push(`FAILED strata on the default bridge: ${bridged.error}`);
    for (const n of notes) process.stdout.write(`${n}\n`);
    if (process.env.SEED === "1") seedBench();
  } finally {
    stopDocker();
  }
}

await main();
