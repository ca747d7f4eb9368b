/**
 * Everyday listings on a busy store, strata against Docker 20.10 in one run:
 * 200 images (sharing a base, 20 layers each), 100 containers and 50 volumes.
 *   ps -a, images, volume ls, image tree   (target: within node -e 0 + 40 ms)
 * Docker has no `image tree`; its three listings are printed for comparison.
 * Run: npm run bench:everyday  (as root)
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { docker, MNT, mountScratch, NODE_START, startDocker, strataOn } from "./env.ts";
import { type Measured, measure, ratio, report } from "./lib.ts";
import { manyImagesArchive } from "./many-images.ts";

const RUNS = Number(process.env.RUNS ?? 11);
const CONTAINERS = 100;
const VOLUMES = 50;
const root = join(MNT, "strata-everyday");
const strata = strataOn(root);

function run(cmd: string[]): void {
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} failed`);
}

/** The same store in either engine: images from one archive, then containers and volumes. */
function populate(engine: (...args: string[]) => string[], archive: string): void {
  run(engine("load", "-q", "-i", archive));
  for (let i = 0; i < CONTAINERS; i++) run(engine("create", "--network", "none", `bench/app${i}:v1`, "true"));
  for (let i = 0; i < VOLUMES; i++) run(engine("volume", "create", `vol${i}`));
}

async function main(): Promise<void> {
  mountScratch();
  const archive = manyImagesArchive(200, 20);
  rmSync(root, { recursive: true, force: true });
  populate(strata, archive);
  const stopDocker = await startDocker();
  try {
    populate(docker, archive);
    const node0 = measure("node -e 0", NODE_START, { runs: RUNS });
    const pairs: Array<[Measured, Measured | undefined]> = [
      [
        measure("strata ps -a", strata("ps", "-a"), { runs: RUNS }),
        measure("docker ps -a", docker("ps", "-a"), { runs: RUNS }),
      ],
      [
        measure("strata images", strata("images"), { runs: RUNS }),
        measure("docker images", docker("images"), { runs: RUNS }),
      ],
      [
        measure("strata volume ls", strata("volume", "ls"), { runs: RUNS }),
        measure("docker volume ls", docker("volume", "ls"), { runs: RUNS }),
      ],
      [measure("strata image tree", strata("image", "tree"), { runs: RUNS }), undefined],
    ];
    report([node0, ...pairs.flatMap(([s, d]) => (d ? [s, d] : [s]))]);
    process.stdout.write("\n");
    for (const [s, d] of pairs) {
      const above = s.medianMs - node0.medianMs;
      const verdict = above <= 40 ? "met" : "NOT met";
      process.stdout.write(
        `${`${s.name} above node -e 0`.padEnd(48)} ${above.toFixed(0)} ms (target ≤ 40: ${verdict})\n`,
      );
      if (d) ratio(`${s.name.replace("strata ", "")}, strata / docker`, s, d);
    }
  } finally {
    spawnSync("sh", ["-c", `${docker().join(" ")} system prune -af --volumes >/dev/null 2>&1; true`]);
    stopDocker();
  }
}

await main();
