/**
 * Image-management benchmark, strata against Docker 20.10 in one run: a store
 * of 200 images sharing a base, each with 20 layers of its own (4,000 layers),
 * loaded into both from one `docker save`-format archive. Prints each
 * command's median and strata's time above a bare `node -e 0`:
 *   images, system df -v      (target ≤ 25 ms above node -e 0)
 *   rmi of one image          (target ≤ 1.0× Docker)
 * Run: npm run bench:list  (as root)
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { docker, MNT, mountScratch, NODE_START, startDocker, strataOn } from "./env.ts";
import { type Measured, measure, median, ratio, report, timeOnce } from "./lib.ts";
import { manyImagesArchive } from "./many-images.ts";

const IMAGES = Number(process.env.IMAGES ?? 200);
const LAYERS = Number(process.env.LAYERS ?? 20);
const RUNS = Number(process.env.RUNS ?? 7);
const root = join(MNT, "strata-list");
const strata = strataOn(root);

function run(cmd: string[]): void {
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} failed`);
}

/** Times removing RUNS distinct images (rmi changes the store, so each run needs its own victim). */
function rmiSeries(name: string, cmd: (i: number) => string[]): Measured {
  const walls = Array.from({ length: RUNS }, (_, i) => timeOnce(cmd(i)).wallMs);
  return { name, medianMs: median(walls), minMs: Math.min(...walls), maxMs: Math.max(...walls), maxRssKb: 0 };
}

async function main(): Promise<void> {
  mountScratch();
  const archive = manyImagesArchive(IMAGES, LAYERS);
  rmSync(root, { recursive: true, force: true });
  run(strata("load", "-q", "-i", archive));
  const stopDocker = await startDocker();
  try {
    run(docker("load", "-q", "-i", archive));
    const rows = [
      measure("node -e 0", NODE_START, { runs: RUNS }),
      measure(`strata images (${IMAGES} images)`, strata("images"), { runs: RUNS }),
      measure(`docker images (${IMAGES} images)`, docker("images"), { runs: RUNS }),
      measure("strata system df -v", strata("system", "df", "-v"), { runs: RUNS }),
      measure("docker system df -v", docker("system", "df", "-v"), { runs: RUNS }),
    ];
    rows.push(rmiSeries("strata rmi (one image)", (i) => strata("rmi", `bench/app${i}:v1`)));
    rows.push(rmiSeries("docker rmi (one image)", (i) => docker("rmi", `bench/app${i}:v1`)));
    report(rows);
    process.stdout.write("\n");
    const [node0, sImages, dImages, sDf, dDf, sRmi, dRmi] = rows;
    process.stdout.write(
      `strata images above node -e 0: ${(sImages.medianMs - node0.medianMs).toFixed(0)} ms (target ≤ 25)\n`,
    );
    process.stdout.write(
      `strata system df -v above node -e 0: ${(sDf.medianMs - node0.medianMs).toFixed(0)} ms (target ≤ 25)\n`,
    );
    ratio("images, strata / docker", sImages, dImages);
    ratio("system df -v, strata / docker", sDf, dDf);
    ratio("rmi, strata / docker", sRmi, dRmi, 1.0);
  } finally {
    spawnSync("sh", [
      "-c",
      `${docker().join(" ")} rmi -f $(${docker().join(" ")} images -aq) >/dev/null 2>&1; true`,
    ]);
    stopDocker();
  }
}

await main();
