/**
 * Removals racing the commands that bring content into the store, as
 * separate processes. A build pins its base image and its steps' layers
 * (a lease) while it runs, so `rmi` of its base, `image prune -a` and
 * `builder prune -a` go ahead meanwhile — as Docker's do — and the build
 * still ends with a whole image. A pull holds the GC lock from its first
 * layer to its image record, so an `rmi` of the image whose layer it
 * reuses cannot sweep that layer from under it. `system check` is clean
 * after each.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { RegistryClient } from "../../src/registry/index.ts";
import { strata } from "../support/cli.ts";
import { busyboxBaseTar, pushImage } from "../support/fixtures.ts";
import { startRegistry } from "../support/registry.ts";
import { tempDir } from "../support/tmp.ts";

let registry: Awaited<ReturnType<typeof startRegistry>>;
const image = (name: string) => `${registry.host}/ingest-${name}:latest`;
const marker = (name: string) => `image ${name}\n`;

before(async () => {
  registry = await startRegistry();
  const client = new RegistryClient();
  // Three images on the same busybox base layer, each with a marker of its own.
  for (const name of ["base", "a", "b"]) {
    await pushImage(client, image(name), {
      layers: [
        { tar: busyboxBaseTar(), compression: "none" },
        { files: { [`marker-${name}`]: marker(name) }, compression: "none" },
      ],
      config: { config: { Env: ["PATH=/bin"] } },
    });
  }
});
after(() => registry?.stop());

async function ok(root: string, args: string[]): Promise<string> {
  const r = await strata(root, args);
  assert.equal(r.code, 0, `strata ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

async function assertCheckClean(root: string): Promise<void> {
  const check = await strata(root, ["system", "check"]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
}

/**
 * An HTTP server a build step waits on: `reached` settles when the step
 * asks, and the step's answer comes only once `release()` is called.
 */
async function gate(): Promise<{ port: number; reached: Promise<void>; release(): void; close(): void }> {
  let arrive: () => void = () => {};
  const reached = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  let open: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    open = resolve;
  });
  const server: Server = createServer((_req, res) => {
    arrive();
    void released.then(() => res.end("go\n"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    reached,
    release: open,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** `p`, or a failure naming `what` when it takes longer than `ms`. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

test("rmi of the base, image prune -a and builder prune -a during a build's RUN: they do not wait, and the build ends whole", async (t) => {
  const root = tempDir();
  const door = await gate();
  t.after(() => door.close());
  await ok(root, ["pull", image("base")]);
  const dockerfile = [
    `FROM ${image("base")}`,
    "RUN echo one > /one",
    // Host network: the step reaches the test's server on 127.0.0.1, and waits for its answer.
    `RUN wget -q -O /go http://127.0.0.1:${door.port}/`,
    "RUN cat /marker-base /one /go > /all",
    "",
  ].join("\n");
  const building = strata(root, ["build", "--network", "host", "-t", "built:1", "-"], { input: dockerfile });
  let buildEnded = false;
  void building.then(() => {
    buildEnded = true;
  });
  // The build is in its second RUN: its base and first step's layer are on disk, held by nothing but its lease.
  await within(Promise.race([door.reached, building]), 60_000, "the build's second RUN");
  if (buildEnded) assert.fail(`the build ended before its second RUN: ${(await building).stderr}`);
  const removals = (async () => {
    const rmi = await ok(root, ["rmi", image("base")]);
    // Its layers stay (the build pins them): only the image is deleted.
    assert.match(rmi, /^(Untagged: [^\n]+\n)+Deleted: sha256:[0-9a-f]{64}\n$/);
    await ok(root, ["image", "prune", "-a", "-f"]);
    await ok(root, ["builder", "prune", "-a", "-f"]);
  })();
  try {
    await within(removals, 30_000, "rmi, image prune and builder prune while a build runs");
    assert.equal(buildEnded, false, "the build was still waiting on its RUN step");
  } finally {
    door.release();
    // On a failure too: no command of this test outlives it.
    await Promise.allSettled([building, removals]);
  }
  const built = await building;
  assert.equal(built.code, 0, built.stderr);
  const all = await ok(root, ["run", "--rm", "--network", "none", "built:1", "cat", "/all"]);
  assert.equal(all, `${marker("base")}one\ngo\n`);
  await assertCheckClean(root);
});

test("pull racing rmi of an image whose base layer it reuses: the pulled image keeps every layer", async () => {
  const root = tempDir();
  const ROUNDS = 8;
  let rmiFirst = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // a holds the shared base layer; b's pull finds it stored and reuses it while a is removed.
    await ok(root, ["pull", image("a")]);
    const [pull, rmi] = await Promise.all([
      strata(root, ["pull", image("b")]),
      // rmi starts later each round, so it lands before, inside and after the pull's ingest.
      sleep(round * 60).then(() => strata(root, ["rmi", image("a")])),
    ]);
    assert.equal(pull.code, 0, `round ${round}: pull: ${pull.stderr}`);
    assert.equal(rmi.code, 0, `round ${round}: rmi: ${rmi.stderr}`);
    // rmi came first when it freed the base layer too (b did not hold it yet).
    if (rmi.stdout.split("\n").filter((l) => l.startsWith("Deleted: ")).length > 2) rmiFirst++;
    // Every image's layers are there and hash to their diff IDs.
    await assertCheckClean(root);
    if (round < ROUNDS - 1) await ok(root, ["rmi", image("b")]);
  }
  const files = await ok(root, ["run", "--rm", "--network", "none", image("b"), "cat", "/marker-b"]);
  assert.equal(files, marker("b"));
  console.log(`rmi freed the base layer before the pull in ${rmiFirst} of ${ROUNDS} rounds`);
});
