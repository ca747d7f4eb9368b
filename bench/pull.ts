/**
 * Pull benchmark, strata against Docker 20.10 in one run, same registry, same
 * file system, printed as ratios:
 *   cold pull of the seed-shaped web image on a Debian minbase base (target ≤ 0.5× Docker)
 *   cold pull of a ~20,000 small-file image                          (target ≤ 0.5× Docker)
 *   pull :v2 after :v1 (only the top layer differs)                  (target ≤ 1.0× Docker)
 *   peak RSS of strata pulling a 1 GB layer                           (target < 200 MB)
 * and strata against the floor on the same blobs: `igzip -dc | tar -x`, each layer into its own
 * directory, three at once (strata's pipeline with nothing but the unpacking; target ≤ 2× floor).
 * Run: npm run bench:pull  (as root; takes a few minutes)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startRegistry } from "../test/support/registry.ts";
import { docker, ensurePackages, MNT, mountScratch, NODE_START, startDocker, strataOn } from "./env.ts";
import { buildLayout, cachePath, layerBlobs, minbase, push, smallFiles } from "./images.ts";
import { type Measured, measure, ratio, report } from "./lib.ts";

const RUNS = Number(process.env.RUNS ?? 5);

function webImages(): { v1: string; v2: string } {
  const web = cachePath("web");
  for (const v of ["v1", "v2"]) {
    mkdirSync(join(web, v, "var", "www", "html"), { recursive: true });
    writeFileSync(
      join(web, v, "var", "www", "html", "index.html"),
      v === "v1" ? "<h1>Servidor web</h1>\n" : "<h1>Servidor web v2</h1>\n",
    );
  }
  mkdirSync(join(web, "server", "etc"), { recursive: true });
  writeFileSync(join(web, "server", "etc", "httpd.conf"), "H:/var/www/html\n");
  const base = minbase();
  const layers = (v: string) => [{ dir: base }, { dir: join(web, "server") }, { dir: join(web, v) }];
  return {
    v1: buildLayout("web-v1", layers("v1"), ["/bin/sh"]),
    v2: buildLayout("web-v2", layers("v2"), ["/bin/sh"]),
  };
}

function bigLayer(): string {
  const dir = cachePath("big");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "blob.bin");
  if (spawnSync("test", ["-s", file]).status !== 0) {
    // 1 GiB of poorly compressible data: the blob is about as large as the layer.
    execFileSync("sh", ["-c", `head -c 1073741824 /dev/urandom > ${file}`]);
  }
  return buildLayout("big", [{ dir }], ["/bin/true"]);
}

const strataRoot = join(MNT, "strata");
const strata = strataOn(strataRoot);
const run = (cmd: string[]) => execFileSync(cmd[0], cmd.slice(1), { stdio: "ignore" });
/** `cmd`, whatever its exit status (removing what may not be there). */
const tryRun = (cmd: string[]) => spawnSync(cmd[0], cmd.slice(1), { stdio: "ignore" });
/**
 * Each sample starts with nothing left to write back: the cold pulls before it leave hundreds of
 * MB dirty, and whichever engine is timed while the kernel flushes them pays for the other's work.
 */
const settled = (setup: () => unknown) => () => {
  setup();
  spawnSync("sync");
};
const dockerReset = () =>
  spawnSync("sh", [
    "-c",
    `${docker().join(" ")} rmi -f $(${docker().join(" ")} images -aq) 2>/dev/null; true`,
  ]);

async function main(): Promise<void> {
  ensurePackages(["docker.io", "isal", "time"]);
  mountScratch();
  const layouts = {
    ...webImages(),
    small: buildLayout("small", [{ dir: smallFiles(20000) }], ["/bin/true"]),
  };
  const registry = await startRegistry();
  const stopDocker = await startDocker();
  try {
    const ref = (name: string) => `${registry.host}/${name}`;
    push(layouts.v1, ref("web:v1"));
    push(layouts.v2, ref("web:v2"));
    push(layouts.small, ref("small:v1"));
    const rows: Measured[] = [];
    const coldStrata = () => rmSync(strataRoot, { recursive: true, force: true });

    const sWeb = measure("strata pull web:v1 (cold)", strata("pull", "-q", ref("web:v1")), {
      runs: RUNS,
      setup: settled(coldStrata),
    });
    const dWeb = measure("docker pull web:v1 (cold)", docker("pull", "-q", ref("web:v1")), {
      runs: RUNS,
      setup: settled(dockerReset),
    });
    const floorDir = join(MNT, "floor");
    // The fastest equivalent pipeline: what strata's pull does with the bytes (igzip, each layer into its
    // own directory, three layers at once), with nothing else (no registry, no digests, no tar-split).
    const floorCmd = (blobs: string[]) => {
      const jobs = blobs.map(
        (b, i) => `mkdir ${floorDir}/${i} && igzip -dc ${b} | tar -x -C ${floorDir}/${i}`,
      );
      return ["sh", "-c", `printf '%s\\0' ${jobs.map((j) => `'${j}'`).join(" ")} | xargs -0 -P 3 -n 1 sh -c`];
    };
    const floorSetup = () => {
      rmSync(floorDir, { recursive: true, force: true });
      mkdirSync(floorDir);
    };
    const fWeb = measure(
      "floor: igzip | tar -x, 3 layers at once (web:v1)",
      floorCmd(layerBlobs(layouts.v1)),
      {
        runs: RUNS,
        setup: settled(floorSetup),
      },
    );

    const sSmall = measure("strata pull small (cold)", strata("pull", "-q", ref("small:v1")), {
      runs: RUNS,
      setup: settled(coldStrata),
    });
    const dSmall = measure("docker pull small (cold)", docker("pull", "-q", ref("small:v1")), {
      runs: RUNS,
      setup: settled(dockerReset),
    });
    const fSmall = measure(
      "floor: igzip | tar -x, 3 layers at once (small)",
      floorCmd(layerBlobs(layouts.small)),
      {
        runs: RUNS,
        setup: settled(floorSetup),
      },
    );

    const sV2 = measure("strata pull web:v2 after v1", strata("pull", "-q", ref("web:v2")), {
      runs: RUNS,
      setup: settled(() => {
        tryRun(strata("rmi", ref("web:v2")));
        run(strata("pull", "-q", ref("web:v1")));
      }),
    });
    const dV2 = measure("docker pull web:v2 after v1", docker("pull", "-q", ref("web:v2")), {
      runs: RUNS,
      setup: settled(() => {
        tryRun(docker("rmi", ref("web:v2")));
        run(docker("pull", "-q", ref("web:v1")));
      }),
    });
    rows.push(sWeb, dWeb, fWeb, sSmall, dSmall, fSmall, sV2, dV2);

    if (process.env.SKIP_BIG !== "1") {
      push(bigLayer(), ref("big:v1"));
      rows.push(
        measure("strata pull big (1 GiB layer, cold)", strata("pull", "-q", ref("big:v1")), {
          runs: 1,
          setup: settled(coldStrata),
        }),
      );
    }
    const node0 = measure("node -e 0", NODE_START, { runs: RUNS });
    rows.push(node0);

    process.stdout.write("\n");
    report(rows);
    process.stdout.write("\n");
    ratio("cold pull web:v1, strata / docker", sWeb, dWeb, 0.5);
    ratio("cold pull small, strata / docker", sSmall, dSmall, 0.5);
    ratio("pull v2 after v1, strata / docker", sV2, dV2, 1.0);
    ratio("cold pull web:v1, strata / floor", sWeb, fWeb, 2.0);
    ratio("cold pull small, strata / floor", sSmall, fSmall, 2.0);
    ratio("cold pull web:v1, docker / floor", dWeb, fWeb);
    const big = rows.find((r) => r.name.startsWith("strata pull big"));
    if (big)
      process.stdout.write(
        `peak RSS pulling a 1 GiB layer: ${(big.maxRssKb / 1024).toFixed(0)} MB (target < 200 MB)\n`,
      );
  } finally {
    dockerReset();
    stopDocker();
    await registry.stop();
  }
}

await main();
