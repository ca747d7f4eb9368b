/**
 * Image-management benchmark, strata against Docker 20.10 in one run: a store
 * of 200 images sharing a base, each with 20 layers of its own (4,000 layers),
 * loaded into both from one `docker save`-format archive. Prints each
 * command's median and strata's time above a bare `node -e 0`:
 *   images, system df -v      (target ≤ 25 ms above node -e 0)
 *   rmi of one image          (target ≤ 1.0× Docker)
 * Run: npm run bench:list  (as root)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { docker, MNT, mountScratch, startDocker } from "./env.ts";
import { cachePath } from "./images.ts";
import { type Measured, measure, median, ratio, report, timeOnce } from "./lib.ts";

const CLI = join(process.cwd(), "dist", "strata.js");
const IMAGES = Number(process.env.IMAGES ?? 200);
const LAYERS = Number(process.env.LAYERS ?? 20);
const RUNS = Number(process.env.RUNS ?? 7);
const root = join(MNT, "strata-list");
const strata = (...args: string[]) => [process.execPath, CLI, "--root", root, ...args];

function tarOf(dir: string): Buffer {
  return execFileSync("tar", ["-C", dir, "--sort=name", "--mtime=@0", "--numeric-owner", "-cf", "-", "."], {
    maxBuffer: 1 << 28,
  });
}

/** A Docker-format archive (manifest.json + configs + layer tars) of IMAGES images. */
function buildArchive(): string {
  const out = cachePath(`list-${IMAGES}x${LAYERS}`);
  const archive = `${out}.tar`;
  if (existsSync(archive)) return archive;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
  const write = (b: Buffer) => {
    const hex = sha(b);
    writeFileSync(join(out, `${hex}.tar`), b);
    return hex;
  };
  const scratch = join(out, ".scratch");
  const layerOf = (files: Record<string, string>) => {
    rmSync(scratch, { recursive: true, force: true });
    for (const [name, body] of Object.entries(files)) {
      mkdirSync(join(scratch, name, ".."), { recursive: true });
      writeFileSync(join(scratch, name), body);
    }
    return write(tarOf(scratch));
  };
  const base = layerOf(
    Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`base/f${i}`, "x".repeat(1000)])),
  );
  const manifest = [];
  for (let i = 0; i < IMAGES; i++) {
    const layers = [base];
    for (let j = 0; j < LAYERS; j++)
      layers.push(layerOf({ [`app/${i}/${j}.txt`]: `image ${i} layer ${j}\n` }));
    const config = Buffer.from(
      JSON.stringify({
        architecture: "amd64",
        os: "linux",
        created: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(),
        config: { Cmd: ["/bin/sh"] },
        rootfs: { type: "layers", diff_ids: layers.map((h) => `sha256:${h}`) },
      }),
    );
    const chex = sha(config);
    writeFileSync(join(out, `${chex}.json`), config);
    manifest.push({
      Config: `${chex}.json`,
      RepoTags: [`bench/app${i}:v1`],
      Layers: layers.map((h) => `${h}.tar`),
    });
  }
  rmSync(scratch, { recursive: true, force: true });
  writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest));
  execFileSync("tar", ["-C", out, "-cf", archive, "."]);
  return archive;
}

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
  const archive = buildArchive();
  rmSync(root, { recursive: true, force: true });
  run(strata("load", "-q", "-i", archive));
  const stopDocker = await startDocker();
  try {
    run(docker("load", "-q", "-i", archive));
    const rows = [
      measure("node -e 0", [process.execPath, "-e", "0"], { runs: RUNS }),
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
