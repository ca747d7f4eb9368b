/**
 * Network benchmark of issue 11: `run --rm busybox true` on each engine's
 * default bridge and with `--network none`, strata against Docker 20.10 (its
 * own dockerd with its docker0 bridge and iptables rules, which set the
 * FORWARD policy to DROP: strata must work beside it) and Podman 4.3, in one
 * run on one ext4 loop file system. Prints medians, the ratios (targets:
 * ≤ 0.5× Docker, ≤ 0.6× Podman) and what networking adds over --network none.
 * Run: npm run bench:network  (as root)
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  dockerOn,
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

const RUNS = Number(process.env.RUNS ?? 11);
const strataRoot = join(MNT, "strata-network");
/** A dockerd of this bench's own, with Docker's default bridge and iptables rules. */
const DAEMON = "docker-net";
const docker = dockerOn(DAEMON);
const strata = strataOn(strataRoot);
const ENGINES = { strata, docker, podman } as const;
type Engine = keyof typeof ENGINES;

function sh(cmd: string[]): string {
  const r = spawnSync(cmd[0] as string, cmd.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} exited ${r.status}: ${r.stderr.trim().slice(-300)}`);
  return r.stdout;
}

type Result = Measured | { error: string };
const ok = (r: Result | undefined): r is Measured => r !== undefined && "medianMs" in r;

function attempt(name: string, cmd: string[]): Result {
  try {
    return measure(name, cmd, { runs: RUNS });
  } catch (e) {
    return { error: (e as Error).message.replace(/\s+/g, " ").slice(0, 300) };
  }
}

function removeAll(e: Engine): void {
  const ids = sh(ENGINES[e]("ps", "-aq")).split("\n").filter(Boolean);
  if (ids.length > 0) sh(ENGINES[e]("rm", "-f", ...ids));
}

/** That a container on the engine's default bridge really has an address and a route out. */
function verifyBridge(e: Engine): string | undefined {
  const cmd = ENGINES[e](
    "run",
    "--rm",
    "busybox",
    "sh",
    "-c",
    "ip -4 -o addr show eth0 && ip route | grep default",
  );
  const r = spawnSync(cmd[0] as string, cmd.slice(1), { encoding: "utf8" });
  return r.status === 0 ? undefined : `no bridge address: ${r.stdout}${r.stderr.trim().slice(-300)}`;
}

async function main(): Promise<void> {
  ensurePackages([
    "docker.io",
    "podman",
    "crun",
    "conmon",
    "busybox-static",
    "time",
    "netavark",
    "aardvark-dns",
  ]);
  mountScratch();
  ensureCgroups();
  setupPodman();
  const forwardBefore = /-P FORWARD (\w+)/.exec(sh(["iptables", "-S", "FORWARD"]))?.[1];
  const tar = busyboxTar();
  rmSync(strataRoot, { recursive: true, force: true });
  spawnSync("sh", ["-c", `${podman("rm", "-af").join(" ")}; ${podman("rmi", "-af").join(" ")}`], {
    stdio: "ignore",
  });
  const stopDocker = await startDocker(DAEMON, { networking: true });
  try {
    const broken: Partial<Record<Engine, string>> = {};
    for (const e of Object.keys(ENGINES) as Engine[]) {
      try {
        removeAll(e);
        sh(ENGINES[e]("import", tar, "busybox"));
        const bad = verifyBridge(e);
        if (bad) broken[e] = bad;
      } catch (err) {
        broken[e] = (err as Error).message;
      }
    }
    process.stdout.write(
      `FORWARD policy with dockerd running: ${/-P FORWARD (\w+)/.exec(sh(["iptables", "-S", "FORWARD"]))?.[1]}\n`,
    );
    const node = attempt("node -e 0", NODE_START);
    const bridge: Partial<Record<Engine, Result>> = {};
    const none: Partial<Record<Engine, Result>> = {};
    for (const e of Object.keys(ENGINES) as Engine[]) {
      const err = broken[e];
      bridge[e] = err
        ? { error: err }
        : attempt(`${e} run --rm (bridge)`, ENGINES[e]("run", "--rm", "busybox", "true"));
      none[e] = err
        ? { error: err }
        : attempt(
            `${e} run --rm --network none`,
            ENGINES[e]("run", "--rm", "--network", "none", "busybox", "true"),
          );
    }
    report([node, ...Object.values(bridge), ...Object.values(none)].filter(ok));
    process.stdout.write("\n");
    const ms = (r?: Result) => (ok(r) ? `${r.medianMs.toFixed(0)} ms` : "FAILED");
    const ratio = (a?: Result, b?: Result, target?: number) => {
      if (!ok(a) || !ok(b)) return "";
      const x = a.medianMs / b.medianMs;
      return `${x.toFixed(2)}×${target === undefined ? "" : x <= target ? " ✓" : ` ✗ (≤ ${target})`}`;
    };
    const adds = (e: Engine) => {
      const b = bridge[e];
      const n = none[e];
      return ok(b) && ok(n) ? `${(b.medianMs - n.medianMs).toFixed(0)} ms` : "";
    };
    const lines = [
      ["", "strata", "docker", "podman", "strata/docker", "strata/podman"],
      [
        "run --rm busybox true (default bridge)",
        ms(bridge.strata),
        ms(bridge.docker),
        ms(bridge.podman),
        ratio(bridge.strata, bridge.docker, 0.5),
        ratio(bridge.strata, bridge.podman, 0.6),
      ],
      [
        "run --rm --network none busybox true",
        ms(none.strata),
        ms(none.docker),
        ms(none.podman),
        ratio(none.strata, none.docker),
        ratio(none.strata, none.podman),
      ],
      ["networking adds (bridge − none)", adds("strata"), adds("docker"), adds("podman"), "", ""],
    ];
    const widths = (lines[0] as string[]).map((_, i) =>
      Math.max(...lines.map((l) => (l[i] as string).length)),
    );
    for (const l of lines)
      process.stdout.write(`${l.map((c, i) => c.padEnd(widths[i] as number)).join("  ")}\n`);
    process.stdout.write(`(node -e 0: ${ms(node)})\n`);
    for (const [e, err] of Object.entries(broken)) process.stdout.write(`FAILED ${e}: ${err}\n`);
  } finally {
    for (const e of Object.keys(ENGINES) as Engine[]) {
      try {
        removeAll(e);
      } catch {}
    }
    stopDocker();
    rmSync(PODMAN_RUN, { recursive: true, force: true });
    // dockerd leaves FORWARD at DROP; give the machine back as it was.
    if (forwardBefore) spawnSync("iptables", ["-P", "FORWARD", forwardBefore]);
  }
}

await main();
