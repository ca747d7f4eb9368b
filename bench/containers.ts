/**
 * Container benchmark of issue 4: strata, Docker 20.10 (docker.io) and Podman
 * 4.3 (both from Debian) in one run, on one ext4 loop file system, with one
 * busybox image built locally (busybox-static + applet symlinks) and imported
 * into each. Prints medians, ratios and strata's time above `node -e 0`:
 *   a. run --rm --network none busybox true   (target ≤ 0.5× Docker, ≤ 1.0× Podman;
 *      a bare `crun run` of a prepared bundle is the floor)
 *   b. create --network none busybox true     (target ≤ node -e 0 + 40 ms; removal not timed)
 *   c. ps -a -s, system df -v, 100 containers (target ≤ node -e 0 + 40 ms)
 * A command that fails is reported with its error; the other rows still run.
 * Run: npm run bench:containers  (as root)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  docker,
  ensureCgroups,
  ensurePackages,
  MNT,
  mountScratch,
  NODE_START,
  PODMAN_RUN,
  podman,
  setupPodman,
  startDocker,
  strataOn,
} from "./env.ts";
import { busyboxTar } from "./images.ts";
import { type Measured, measure, report } from "./lib.ts";

const RUNS = Number(process.env.RUNS ?? 7);
const COUNT = Number(process.env.CONTAINERS ?? 100);
const EXITED = Math.floor(COUNT / 10);
const strataRoot = join(MNT, "strata-containers");
const strata = strataOn(strataRoot);
const ENGINES = { strata, docker, podman } as const;
type Engine = keyof typeof ENGINES;
const NONE = ["--network", "none"];

type Result = Measured | { error: string };
const ok = (r: Result | undefined): r is Measured => r !== undefined && "medianMs" in r;

function sh(cmd: string[]): string {
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} exited ${r.status}: ${r.stderr.trim().slice(-300)}`);
  return r.stdout;
}

function attempt(name: string, cmd: string[], setup?: () => void): Result {
  try {
    return measure(name, cmd, { runs: RUNS, setup });
  } catch (e) {
    return { error: (e as Error).message.replace(/\s+/g, " ").slice(0, 300) };
  }
}

/** The floor: crun's own default spec (namespaces incl. network) over the unpacked rootfs, no overlay. */
function crunBundle(tar: string): string {
  const bundle = join(MNT, "crun-floor");
  rmSync(bundle, { recursive: true, force: true });
  mkdirSync(join(bundle, "rootfs"), { recursive: true });
  execFileSync("tar", ["-C", join(bundle, "rootfs"), "-xf", tar]);
  execFileSync("crun", ["spec"], { cwd: bundle });
  const spec = JSON.parse(readFileSync(join(bundle, "config.json"), "utf8"));
  spec.process.terminal = false;
  spec.process.args = ["true"];
  writeFileSync(join(bundle, "config.json"), JSON.stringify(spec));
  return bundle;
}

function containerIds(e: Engine): string[] {
  return sh(ENGINES[e]("ps", "-aq")).split("\n").filter(Boolean);
}

function removeAll(e: Engine): void {
  const ids = containerIds(e);
  if (ids.length > 0) sh(ENGINES[e]("rm", "-f", ...ids));
}

/** That the engine really runs a container: `echo hi` inside prints hi. */
function verifyRun(e: Engine): string | undefined {
  const cmd = ENGINES[e]("run", "--rm", ...NONE, "busybox", "echo", "hi");
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8" });
  if (r.status === 0 && r.stdout === "hi\n") return undefined;
  return `run --rm busybox echo hi: exit ${r.status}, stdout ${JSON.stringify(r.stdout)}, stderr ${r.stderr.trim().slice(-300)}`;
}

/** COUNT containers: EXITED ran (`run` without --rm), the rest only created. Returns notes. */
function populate(e: Engine): string[] {
  removeAll(e);
  const notes: string[] = [];
  for (let i = 0; i < COUNT - EXITED; i++) sh(ENGINES[e]("create", ...NONE, "busybox", "true"));
  for (let i = 0; i < EXITED; i++) {
    try {
      sh(ENGINES[e]("run", ...NONE, "busybox", "true"));
    } catch (err) {
      notes.push(`${e}: run failed, containers created instead: ${(err as Error).message.slice(0, 200)}`);
      break;
    }
  }
  let n = containerIds(e).length;
  for (; n < COUNT; n++) sh(ENGINES[e]("create", ...NONE, "busybox", "true"));
  if (n !== COUNT) notes.push(`${e}: ${n} containers instead of ${COUNT}`);
  return notes;
}

interface Row {
  label: string;
  floor?: Result;
  cells: Partial<Record<Engine, Result>>;
  /** Targets: strata/docker, strata/podman ratios, strata − node -e 0 in ms. */
  target: { docker?: number; podman?: number; aboveNode?: number };
}

function printTable(rows: Row[], node: Result): void {
  const ms = (r?: Result) => (ok(r) ? `${r.medianMs.toFixed(0)} ms` : r ? "FAILED" : "");
  const verdict = (x: number, t?: number) => (t === undefined ? "" : x <= t ? " ✓" : ` ✗ (≤ ${t})`);
  const header = [
    "",
    "floor",
    "strata",
    "docker",
    "podman",
    "strata/docker",
    "strata/podman",
    "strata − node",
  ];
  const lines = [header];
  for (const row of rows) {
    const { strata: s, docker: d, podman: p } = row.cells;
    const ratio = (o: Result | undefined, t?: number) =>
      ok(s) && ok(o) ? `${(s.medianMs / o.medianMs).toFixed(2)}×${verdict(s.medianMs / o.medianMs, t)}` : "";
    const above =
      ok(s) && ok(node)
        ? `${(s.medianMs - node.medianMs).toFixed(0)} ms${verdict(s.medianMs - node.medianMs, row.target.aboveNode)}`
        : "";
    lines.push([
      row.label,
      ms(row.floor),
      ms(s),
      ms(d),
      ms(p),
      ratio(d, row.target.docker),
      ratio(p, row.target.podman),
      above,
    ]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const l of lines) process.stdout.write(`${l.map((c, i) => c.padEnd(widths[i])).join("  ")}\n`);
  process.stdout.write(`(node -e 0: ${ms(node)}; floor of run = bare crun run of a prepared bundle)\n`);
  for (const row of rows) {
    for (const [e, r] of Object.entries({ floor: row.floor, ...row.cells })) {
      if (r && !ok(r)) process.stdout.write(`FAILED ${row.label}, ${e}: ${r.error}\n`);
    }
  }
}

async function main(): Promise<void> {
  ensurePackages(["docker.io", "podman", "crun", "conmon", "runc", "busybox-static", "time"]);
  mountScratch();
  ensureCgroups();
  setupPodman();
  const tar = busyboxTar();
  const bundle = crunBundle(tar);
  rmSync(strataRoot, { recursive: true, force: true });
  spawnSync("sh", ["-c", `${podman("rm", "-af").join(" ")}; ${podman("rmi", "-af").join(" ")}`], {
    stdio: "ignore",
  });
  const stopDocker = await startDocker();
  const notes: string[] = [];
  try {
    // Per engine: an error that makes every measurement of that engine meaningless (import failed).
    const broken: Partial<Record<Engine, string>> = {};
    const runBroken: Partial<Record<Engine, string>> = {};
    for (const e of Object.keys(ENGINES) as Engine[]) {
      try {
        removeAll(e);
        sh(ENGINES[e]("import", tar, "busybox"));
        const bad = verifyRun(e);
        if (bad) runBroken[e] = bad;
      } catch (err) {
        broken[e] = (err as Error).message;
      }
    }
    /** One measurement per engine, or the error that rules it out. */
    const each = (label: string, args: string[], setup?: (e: Engine) => () => void, skip = broken) => {
      const cells: Partial<Record<Engine, Result>> = {};
      for (const e of Object.keys(ENGINES) as Engine[]) {
        const err = skip[e];
        cells[e] = err ? { error: err } : attempt(`${e} ${label}`, ENGINES[e](...args), setup?.(e));
      }
      return cells;
    };

    const node = attempt("node -e 0", NODE_START);
    const floor = attempt("crun run (bundle)", [
      "crun",
      "--cgroup-manager=cgroupfs",
      "run",
      "--bundle",
      bundle,
      "strata-bench-floor",
    ]);
    const rows: Row[] = [
      {
        label: "a. run --rm --network none busybox true",
        floor,
        cells: each("run --rm", ["run", "--rm", ...NONE, "busybox", "true"], undefined, {
          ...runBroken,
          ...broken,
        }),
        target: { docker: 0.5, podman: 1 },
      },
      {
        label: "b. create --network none busybox true",
        cells: each("create", ["create", ...NONE, "busybox", "true"], (e) => () => removeAll(e)),
        target: { aboveNode: 40 },
      },
    ];
    for (const e of Object.keys(ENGINES) as Engine[]) {
      if (broken[e]) continue;
      try {
        notes.push(...populate(e));
      } catch (err) {
        broken[e] = `creating ${COUNT} containers: ${(err as Error).message}`;
      }
    }
    rows.push(
      {
        label: `c. ps -a -s (${COUNT} containers)`,
        cells: each("ps -a -s", ["ps", "-a", "-s"]),
        target: { aboveNode: 40 },
      },
      {
        label: `c. system df -v (${COUNT} containers)`,
        cells: each("system df -v", ["system", "df", "-v"]),
        target: { aboveNode: 40 },
      },
    );

    report([node, floor, ...rows.flatMap((r) => Object.values(r.cells))].filter(ok));
    process.stdout.write("\n");
    printTable(rows, node);
    for (const n of notes) process.stdout.write(`note: ${n}\n`);
  } finally {
    for (const e of Object.keys(ENGINES) as Engine[]) {
      try {
        removeAll(e);
      } catch {}
    }
    spawnSync(
      "sh",
      ["-c", `${docker("rmi", "-f", "busybox").join(" ")}; ${podman("rmi", "-af").join(" ")}`],
      {
        stdio: "ignore",
      },
    );
    stopDocker();
    rmSync(PODMAN_RUN, { recursive: true, force: true });
  }
}

await main();
