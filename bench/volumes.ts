/**
 * cp and volumes, strata against Docker 20.10 in one run:
 *   cp of a 100 MB directory (100 files of 1 MB, plus 1,000 small ones) out of a stopped container
 *     (target: ≤ 1.0× docker cp)
 *   volume ls with 50 volumes (target: within node -e 0 + 40 ms)
 * Both stores on the same journaled ext4 (env.ts). Run: npm run bench:volumes (as root)
 */
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { busyboxBaseTar } from "../test/support/fixtures.ts";
import { docker, MNT, mountScratch, NODE_START, startDocker, strataOn } from "./env.ts";
import { measure, ratio, report } from "./lib.ts";

const RUNS = Number(process.env.RUNS ?? 7);
const VOLUMES = 50;
const root = join(MNT, "strata-volumes");
const out = join(MNT, "cp-out");
const strata = strataOn(root);
const FILL =
  "mkdir -p /big/small && for i in $(seq 100); do head -c 1048576 /dev/urandom > /big/f$i; done; " +
  "for i in $(seq 1000); do echo $i > /big/small/s$i; done";

function run(cmd: string[]): string {
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} failed`);
  return r.stdout;
}

/** The same busybox image, one container holding the 100 MB directory, and the volumes. */
function populate(engine: (...args: string[]) => string[], tar: string): void {
  run(engine("import", tar, "bench/bb:1"));
  run(engine("run", "--name", "cpsrc", "--network", "none", "bench/bb:1", "sh", "-c", FILL));
  for (let i = 0; i < VOLUMES; i++) run(engine("volume", "create", `vol${i}`));
}

async function main(): Promise<void> {
  mountScratch();
  const tar = join(MNT, "bb.tar");
  writeFileSync(tar, busyboxBaseTar());
  rmSync(root, { recursive: true, force: true });
  populate(strata, tar);
  const stopDocker = await startDocker();
  try {
    populate(docker, tar);
    const fresh = () => rmSync(out, { recursive: true, force: true });
    const node0 = measure("node -e 0", NODE_START, { runs: RUNS });
    const cpS = measure("strata cp cpsrc:/big DIR (100 MB)", strata("cp", "cpsrc:/big", out), {
      runs: RUNS,
      setup: fresh,
    });
    const cpD = measure("docker cp cpsrc:/big DIR (100 MB)", docker("cp", "cpsrc:/big", out), {
      runs: RUNS,
      setup: fresh,
    });
    const lsS = measure("strata volume ls (50)", strata("volume", "ls"), { runs: RUNS });
    const lsD = measure("docker volume ls (50)", docker("volume", "ls"), { runs: RUNS });
    report([node0, cpS, cpD, lsS, lsD]);
    process.stdout.write("\n");
    ratio("cp of 100 MB out, strata / docker", cpS, cpD, 1.0);
    ratio("volume ls, strata / docker", lsS, lsD);
    const above = lsS.medianMs - node0.medianMs;
    process.stdout.write(
      `${"strata volume ls above node -e 0".padEnd(48)} ${above.toFixed(0)} ms (target ≤ 40: ${above <= 40 ? "met" : "NOT met"})\n`,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
    spawnSync("sh", [
      "-c",
      `${docker().join(" ")} rm -f cpsrc >/dev/null 2>&1; ${docker().join(" ")} system prune -af --volumes >/dev/null 2>&1; true`,
    ]);
    stopDocker();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
