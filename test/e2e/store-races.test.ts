/**
 * Commands racing on one store, as separate processes: `run -d` against
 * `rmi` of the same image, with `rm -f`, `container prune` and `image prune
 * -a` thrown in. Every race must end as Docker's would: either the run wins
 * (rmi refuses with Docker's conflict) or the rmi wins (the run pulls the
 * image again); afterwards `system check` finds nothing wrong and every
 * running container still sees its image's files.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { RegistryClient } from "../../src/registry/index.ts";
import { type CliResult, strata } from "../support/cli.ts";
import { busyboxBaseTar, pushImage } from "../support/fixtures.ts";
import { startRegistry } from "../support/registry.ts";
import { tempDir } from "../support/tmp.ts";

let registry: Awaited<ReturnType<typeof startRegistry>>;
const root = tempDir();
/**
 * Two lanes race side by side, each cycling through three images that share
 * the busybox base layer. Round r runs image r % 3 and removes the container
 * of round r - 2, so no container of an earlier round makes the next rmi of
 * that image a conflict. Whoever wins, the image is there after the round
 * (kept, or pulled again by the run), so rounds need no pulls of their own.
 */
const LANES = ["a", "b"] as const;
const TAGS = 3;
const ROUNDS = 25;
const image = (lane: string, tag: number) => `${registry.host}/race-${lane}:t${tag}`;
const marker = (lane: string, tag: number) => `lane ${lane} image ${tag}\n`;

before(async () => {
  const t0 = Date.now();
  registry = await startRegistry();
  const client = new RegistryClient();
  for (const lane of LANES) {
    for (let tag = 0; tag < TAGS; tag++) {
      await pushImage(client, image(lane, tag), {
        // Uncompressed: pulling again after every lost rmi stays cheap; the races are the point.
        layers: [
          { tar: busyboxBaseTar(), compression: "none" },
          { files: { marker: marker(lane, tag) }, compression: "none" },
        ],
        config: { config: { Env: ["PATH=/bin"], Cmd: ["sleep", "600"] } },
      });
    }
  }
  console.log(`images pushed in ${Date.now() - t0} ms`);
});

/** Removes every container (they run `sleep 600`), before the store's directory goes. */
async function removeAll(): Promise<void> {
  const ids = (await strata(root, ["ps", "-aq", "--no-trunc"])).stdout.split("\n").filter(Boolean);
  if (ids.length === 0) return;
  const rm = await strata(root, ["rm", "-f", ...ids]);
  assert.equal(rm.code, 0, rm.stderr);
}

const CONFLICT =
  /^Error response from daemon: conflict: unable to remove repository reference "[^"]+" \(must force\) - container [0-9a-f]{12} is using its referenced image [0-9a-f]{12}\n$/;
const NO_SUCH_IMAGE = /^Error response from daemon: No such image: [^\n]+\n$/;

function assertRmiOutcome(ref: string, rmi: CliResult): "run" | "rmi" {
  if (rmi.code === 0) {
    assert.ok(rmi.stdout.startsWith(`Untagged: ${ref}\n`), rmi.stdout);
    return "rmi";
  }
  assert.equal(rmi.code, 1, rmi.stderr);
  // Another lane's `image prune -a` may have removed the image first.
  assert.ok(CONFLICT.test(rmi.stderr) || NO_SUCH_IMAGE.test(rmi.stderr), `rmi ${ref}: ${rmi.stderr}`);
  return "run";
}

/** What a lane throws in beside its pair, so removals and prunes race too. */
function sideOps(lane: string, round: number, ids: string[]): Array<Promise<CliResult>> {
  const ops: Array<Promise<CliResult>> = [];
  if (round >= 2 && ids[round - 2]) ops.push(strata(root, ["rm", "-f", ids[round - 2]]));
  if (round % 7 === 3 && lane === "b") ops.push(strata(root, ["image", "prune", "-a", "-f"]));
  return ops;
}

/**
 * The run's container ID; "" when the other lane's `container prune` removed
 * the created container before its start — Docker's outcome too (its prune
 * removes created containers, and `docker run` then fails on the start).
 */
function runOutcome(ref: string, round: number, run: CliResult): string {
  if (run.code === 0) return run.stdout.trim().split("\n").at(-1) as string;
  assert.equal(run.code, 125, `round ${round}: run -d ${ref}: ${run.stderr}`);
  assert.match(
    run.stderr,
    /Error response from daemon: No such container: [0-9a-f]{64}/,
    `round ${round}: ${run.stderr}`,
  );
  return "";
}

interface LaneResult {
  /** Container ID → the image tag it runs; the last two rounds' containers still run. */
  running: Map<string, number>;
  outcomes: { run: number; rmi: number };
}

async function lane(name: string): Promise<LaneResult> {
  const ids: string[] = [];
  const outcomes = { run: 0, rmi: 0 };
  for (let round = 0; round < ROUNDS && !stopped; round++) {
    const ref = image(name, round % TAGS);
    // rmi starts a little later each round, so its removal sweeps across the run's create.
    // No network: the races are in the store, and bridge set-up would only slow every round.
    const running = strata(root, ["run", "-d", "--network", "none", ref]);
    // `container prune` starts once the run has started its container, racing the `rm -f`s: a prune
    // between a run's create and its start removes the created container (Docker's prune does too).
    const prune = round % 5 === 2 ? [running.then(() => strata(root, ["container", "prune", "-f"]))] : [];
    const [run, rmi, ...side] = await Promise.all([
      running,
      sleep((round % 8) * 15).then(() => strata(root, ["rmi", ref])),
      ...sideOps(name, round, ids),
      ...prune,
    ]);
    ids.push(runOutcome(ref, round, run));
    outcomes[assertRmiOutcome(ref, rmi)]++;
    log.push(
      `${name}${round}: run ${run.stdout.trim()} | rmi ${rmi.code} | ${side.map((o) => o.stdout.trim()).join(" ; ")}`,
    );
    for (const op of side) {
      if (op.code !== 0) {
        const ps = await strata(root, ["ps", "-a", "--no-trunc"]);
        assert.fail(`round ${round}: ${op.stderr}\n${ps.stdout}\n${log.join("\n")}`);
      }
    }
  }
  const last = ids.map((id, r): [string, number] => [id, r % TAGS]).slice(-2);
  const running = new Map(last.filter(([id]) => id !== ""));
  return { running, outcomes };
}

const log: string[] = [];
/** Set when a lane fails, so the other stops too before the clean-up runs. */
let stopped = false;

test("run -d, rmi, rm -f and prune racing in separate processes leave a consistent store", async (t) => {
  // Before the file's own clean-up: the containers go first, then the registry.
  t.after(async () => {
    try {
      await removeAll();
    } finally {
      await registry.stop();
    }
  });
  const t0 = Date.now();
  const settled = await Promise.allSettled(
    LANES.map((l) =>
      lane(l).catch((err) => {
        stopped = true;
        throw err;
      }),
    ),
  );
  const results = settled.map((r) => {
    if (r.status === "rejected") throw r.reason;
    return r.value;
  });
  const check = await strata(root, ["system", "check"]);
  assert.equal(check.code, 0, check.stdout + check.stderr);

  const running = new Set(
    (await strata(root, ["ps", "-q", "--no-trunc"])).stdout.split("\n").filter(Boolean),
  );
  for (const [i, l] of LANES.entries()) {
    for (const [id, tag] of results[i].running) {
      assert.ok(running.has(id), `container ${id} still runs`);
      const files = await strata(root, [
        "exec",
        id,
        "sh",
        "-c",
        "cat /marker && /bin/busybox true && echo ok",
      ]);
      assert.equal(files.stdout, `${marker(l, tag)}ok\n`, `container ${id}: ${files.stderr}`);
    }
  }
  // Both outcomes must be possible, or the test did not race anything.
  const won = (who: "run" | "rmi") => results.reduce((n, r) => n + r.outcomes[who], 0);
  console.log(`run won ${won("run")} times, rmi won ${won("rmi")} times, in ${Date.now() - t0} ms`);
  assert.ok(won("run") > 0 && won("rmi") > 0, "both outcomes occur");
});
