/**
 * Push benchmark, strata against Docker 20.10 in one run, same registries
 * (Debian's docker-registry, a fresh one where a run must start cold), same
 * file system, printed as ratios:
 *   push of a fresh ~76 MB layer that must be gzipped         (target ≤ 0.5× Docker)
 *   push of the pulled seed-shaped image to a second registry (target ≤ 0.2× Docker)
 *   pushing the same image again                              (target ≤ node -e 0 + 60 ms)
 * with `gzip -c`, `pigz -c`, `igzip -c` of the same tar and `skopeo copy`
 * registry to registry as floors.
 * Run: npm run bench:push  (as root; takes a few minutes)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { startRegistry, type TestRegistry } from "../test/support/registry.ts";
import { dockerOn, MNT, mountScratch, NODE_START, startDocker, strataOn } from "./env.ts";
import { buildLayout, cachePath, minbase, push } from "./images.ts";
import { type Measured, measure, median, ratio, report, timeOnce } from "./lib.ts";

/**
 * Its own Docker daemon (socket, pid file, exec root, data root): other
 * benches that run at the same time start, clear and stop theirs.
 */
const DAEMON = "push-docker";
const docker = dockerOn(DAEMON);
const RUNS = Number(process.env.RUNS ?? 5);
const strataRoot = join(MNT, "strata-push");
const strata = strataOn(strataRoot);
const run = (cmd: string[]) => execFileSync(cmd[0], cmd.slice(1), { stdio: "ignore" });

/** ~76 MB of a Debian system's binaries, libraries and docs: a layer gzip really has to work on. */
function freshLayerTar(): string {
  const tar = cachePath("fresh-layer.tar");
  if (!existsSync(tar)) {
    const base = minbase();
    execFileSync("tar", [
      "-C",
      base,
      "--sort=name",
      "--mtime=@0",
      "--numeric-owner",
      "-cf",
      tar,
      "usr/bin",
      "usr/lib",
      "usr/sbin",
      "usr/share/doc",
    ]);
  }
  return tar;
}

/** The seed-shaped web image (minbase + server + index.html), as bench:pull builds it. */
function webLayout(): string {
  const web = cachePath("web");
  mkdirSync(join(web, "v1", "var", "www", "html"), { recursive: true });
  writeFileSync(join(web, "v1", "var", "www", "html", "index.html"), "<h1>Servidor web</h1>\n");
  mkdirSync(join(web, "server", "etc"), { recursive: true });
  writeFileSync(join(web, "server", "etc", "httpd.conf"), "H:/var/www/html\n");
  return buildLayout(
    "web-v1",
    [{ dir: minbase() }, { dir: join(web, "server") }, { dir: join(web, "v1") }],
    ["/bin/sh"],
  );
}

/** strata then has to compress again, as on a first push. */
function forgetCompressedDigests(): void {
  const db = new Database(join(strataRoot, "db.sqlite"), { timeout: 30_000 });
  db.exec("DELETE FROM blob_sources");
  db.close();
}

/** Times `cmd` RUNS times, each after an awaited `setup` (a fresh registry), one warm-up first. */
async function measureCold(
  name: string,
  cmd: (target: string) => string[],
  setup: () => Promise<string>,
): Promise<Measured> {
  const walls: number[] = [];
  let rss = 0;
  for (let i = 0; i <= RUNS; i++) {
    const target = await setup();
    const s = timeOnce(cmd(target));
    if (i > 0) walls.push(s.wallMs);
    rss = Math.max(rss, s.maxRssKb);
  }
  return {
    name,
    medianMs: median(walls),
    minMs: Math.min(...walls),
    maxMs: Math.max(...walls),
    maxRssKb: rss,
  };
}

async function main(): Promise<void> {
  mountScratch();
  // Registries keep their blobs on the bench file system too.
  process.env.STRATA_TEST_TMP = join(MNT, "tmp");
  mkdirSync(process.env.STRATA_TEST_TMP, { recursive: true });
  const tar = freshLayerTar();
  const layout = webLayout();
  const source = await startRegistry();
  const stopDocker = await startDocker(DAEMON);
  const registries: TestRegistry[] = [source];
  const freshRegistry = async () => {
    // Only the previous run's registry goes: its blobs must not help the next run.
    const old = registries.length > 1 ? registries.pop() : undefined;
    await old?.stop();
    const r = await startRegistry();
    registries.push(r);
    return r.host;
  };
  try {
    push(layout, `${source.host}/web:v1`);
    rmSync(strataRoot, { recursive: true, force: true });
    run(strata("pull", "-q", `${source.host}/web:v1`));
    run(strata("import", tar, "bench/fresh:v1"));
    // Other benches may share this daemon and clear its images: each run makes sure they are there.
    const ensureDockerImages = () => {
      const has = (name: string) =>
        spawnSync(docker("image", "inspect", name)[0], docker("image", "inspect", name).slice(1), {
          stdio: "ignore",
        }).status === 0;
      if (!has(`${source.host}/web:v1`)) run(docker("pull", "-q", `${source.host}/web:v1`));
      if (!has("bench/fresh:v1")) run(docker("import", tar, "bench/fresh:v1"));
    };
    ensureDockerImages();
    const rows: Measured[] = [];

    // A fresh layer: each run a new registry (and, for strata, a forgotten compressed digest).
    const sFresh = await measureCold(
      "strata push fresh 76 MB layer",
      (host) => strata("push", "-q", `${host}/fresh:v1`),
      async () => {
        const host = await freshRegistry();
        forgetCompressedDigests();
        run(strata("tag", "bench/fresh:v1", `${host}/fresh:v1`));
        return host;
      },
    );
    const dFresh = await measureCold(
      "docker push fresh 76 MB layer",
      (host) => docker("push", "-q", `${host}/fresh:v1`),
      async () => {
        const host = await freshRegistry();
        ensureDockerImages();
        run(docker("tag", "bench/fresh:v1", `${host}/fresh:v1`));
        return host;
      },
    );
    const gz = (tool: string, args: string[]) =>
      measure(`${tool} -c (same tar)`, ["sh", "-c", `${tool} ${args.join(" ")} -c ${tar} > /dev/null`], {
        runs: RUNS,
      });
    rows.push(sFresh, dFresh, gz("gzip", []), gz("pigz", []), gz("igzip", ["-1"]));

    // The pulled image to a second registry: Docker recompresses, strata copies the blobs.
    const sCopy = await measureCold(
      "strata push web:v1 to a second registry",
      (host) => strata("push", "-q", `${host}/web:v1`),
      async () => {
        const host = await freshRegistry();
        run(strata("tag", `${source.host}/web:v1`, `${host}/web:v1`));
        return host;
      },
    );
    const dCopy = await measureCold(
      "docker push web:v1 to a second registry",
      (host) => docker("push", "-q", `${host}/web:v1`),
      async () => {
        const host = await freshRegistry();
        ensureDockerImages();
        run(docker("tag", `${source.host}/web:v1`, `${host}/web:v1`));
        return host;
      },
    );
    const kCopy = await measureCold(
      "skopeo copy registry to registry",
      (host) => [
        "skopeo",
        "copy",
        "-q",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        `docker://${source.host}/web:v1`,
        `docker://${host}/web:v1`,
      ],
      freshRegistry,
    );
    rows.push(sCopy, dCopy, kCopy);

    // Again: everything is there already.
    const again = await freshRegistry();
    run(strata("tag", `${source.host}/web:v1`, `${again}/web:v1`));
    ensureDockerImages();
    run(docker("tag", `${source.host}/web:v1`, `${again}/web:v1`));
    run(strata("push", "-q", `${again}/web:v1`));
    run(docker("push", "-q", `${again}/web:v1`));
    const sAgain = measure("strata push web:v1 again", strata("push", "-q", `${again}/web:v1`), {
      runs: RUNS,
    });
    const dAgain = measure("docker push web:v1 again", docker("push", "-q", `${again}/web:v1`), {
      runs: RUNS,
    });
    const node0 = measure("node -e 0", NODE_START, { runs: RUNS });
    rows.push(sAgain, dAgain, node0);

    process.stdout.write("\n");
    report(rows);
    process.stdout.write("\n");
    ratio("fresh layer, strata / docker", sFresh, dFresh, 0.5);
    ratio("to a second registry, strata / docker", sCopy, dCopy, 0.2);
    ratio("to a second registry, strata / skopeo copy", sCopy, kCopy);
    ratio("again, strata / docker", sAgain, dAgain);
    const over = sAgain.medianMs - node0.medianMs;
    process.stdout.write(
      `${"again, strata − node -e 0".padEnd(48)} ${over.toFixed(0)} ms  (target ≤ 60 ms: ${over <= 60 ? "met" : "NOT met"})\n`,
    );
  } finally {
    stopDocker();
    for (const r of registries) await r.stop();
  }
}

await main();
