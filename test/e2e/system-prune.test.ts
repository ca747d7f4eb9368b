/**
 * `system prune` over a real store: stopped containers, an unused network,
 * anonymous volumes (named ones stay), dangling and (-a) unused images, in
 * docker/cli's order and words, its prompt, and its filters.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { strata } from "../support/cli.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";

const root = tempDir();
const IMAGE = "local/bb:prune";

async function ok(args: string[], input?: string): Promise<string> {
  const r = await strata(root, args, { input });
  assert.equal(r.code, 0, `strata ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const id = async (name: string) => (await ok(["inspect", "-f", "{{.Id}}", name])).trim();

before(async () => {
  const dir = tempDir();
  writeFileSync(join(dir, "bb.tar"), busyboxBaseTar());
  await ok(["import", join(dir, "bb.tar"), IMAGE]);
});

const PROMPT =
  "WARNING! This will remove:\n" +
  "  - all stopped containers\n" +
  "  - all networks not used by at least one container\n" +
  "  - all anonymous volumes not used by at least one container\n" +
  "  - all dangling images\n" +
  "  - unused build cache\n" +
  "\nAre you sure you want to continue? [y/N] ";

test("system prune --volumes: Docker's prompt, then each kind in docker/cli's order and the total", async () => {
  await ok(["run", "--name", "done", "-v", "/data", IMAGE, "sh", "-c", "echo x > /data/f; echo y > /f"]);
  const done = await id("done");
  const anon = (await ok(["inspect", "-f", "{{(index .Mounts 0).Name}}", "done"])).trim();
  const dangling = (await ok(["commit", "done"])).trim();
  await ok(["rm", "done"]);
  await ok(["run", "--name", "gone", IMAGE, "true"]);
  const gone = await id("gone");
  await ok(["run", "-d", "--name", "live", IMAGE, "sleep", "600"]);
  await ok(["network", "create", "idle-net"]);
  await ok(["volume", "create", "named"]);

  const declined = await strata(root, ["system", "prune", "--volumes"], { input: "n\n" });
  assert.deepEqual([declined.stdout, declined.code], [PROMPT, 0]);
  assert.match(await ok(["ps", "-a", "--format", "{{.Names}}"]), /gone/, "nothing removed when declined");

  const out = await ok(["system", "prune", "--volumes"], "y\n");
  const body = out.slice(PROMPT.length);
  assert.ok(out.startsWith(PROMPT));
  // The image's own layer goes with it (Docker lists it as a second `deleted:` line).
  assert.equal(
    body
      .replace(/Total reclaimed space: .*\n$/, "")
      .replace(/deleted: sha256:[0-9a-f]{64}\n\n$/, "LAYER\n\n"),
    `Deleted Containers:\n${gone}\n\n` +
      "Deleted Networks:\nidle-net\n\n" +
      `Deleted Volumes:\n${anon}\n\n` +
      `Deleted Images:\ndeleted: ${dangling}\nLAYER\n\n`,
  );
  assert.match(body, /\nTotal reclaimed space: \d+(\.\d+)?k?B\n$/);
  assert.notEqual(done, gone);
  assert.equal(await ok(["volume", "ls", "-q"]), "named\n", "named volumes stay");
  assert.equal(await ok(["ps", "-a", "--format", "{{.Names}}"]), "live\n");
  assert.match(await ok(["images", "--format", "{{.Repository}}:{{.Tag}}"]), /^local\/bb:prune\n$/);
  // Nothing left: just the total.
  assert.equal(await ok(["system", "prune", "-f"]), "Total reclaimed space: 0B\n");
});

test("system prune -a -f removes unused tagged images too; the one a container uses stays", async () => {
  await ok(["run", "--name", "src", IMAGE, "sh", "-c", "echo z > /z"]);
  const extra = (await ok(["commit", "src", "local/extra:1"])).trim();
  await ok(["rm", "src"]);
  const out = await ok(["system", "prune", "-a", "-f"]);
  assert.equal(
    out.replace(/Total reclaimed space: .*\n$/, "").replace(/deleted: sha256:[0-9a-f]{64}\n\n$/, "LAYER\n\n"),
    `Deleted Images:\nuntagged: local/extra:1\ndeleted: ${extra}\nLAYER\n\n`,
  );
  assert.match(await ok(["images", "--format", "{{.Repository}}"]), /^local\/bb\n$/, "live uses local/bb");
});

test("system prune --filter: labels and until reach every step; Docker's refusals", async () => {
  await ok(["run", "--name", "tagged", "--label", "tier=tmp", IMAGE, "true"]);
  await ok(["run", "--name", "plain", IMAGE, "true"]);
  const tagged = await id("tagged");
  const prompt = await strata(root, ["system", "prune", "--filter", "label=tier=tmp"], { input: "n\n" });
  assert.match(
    prompt.stdout,
    / {2}- unused build cache\n\n {2}Items to be pruned will be filtered with:\n {2}- label=tier=tmp\n\nAre you sure/,
  );
  const out = await ok(["system", "prune", "-f", "--filter", "label=tier=tmp"]);
  assert.equal(out, `Deleted Containers:\n${tagged}\n\nTotal reclaimed space: 0B\n`);
  assert.equal(
    await ok(["system", "prune", "-f", "--filter", "until=1h"]),
    "Total reclaimed space: 0B\n",
    "plain is newer than an hour ago",
  );
  assert.match(await ok(["ps", "-a", "--format", "{{.Names}}"]), /plain/);
  assert.match(
    await ok(["system", "prune", "-f", "--filter", "label!=tier"]),
    /^Deleted Containers:\n[0-9a-f]{64}\n\n/,
  );

  const bad = await strata(root, ["system", "prune", "-f", "--filter", "color=red"]);
  assert.deepEqual([bad.stderr, bad.code], ["Error response from daemon: invalid filter 'color'\n", 1]);
  const until = await strata(root, ["system", "prune", "--volumes", "--filter", "until=1h"]);
  assert.deepEqual(
    [until.stdout, until.stderr, until.code],
    ["", 'ERROR: The "until" filter is not supported with "--volumes"\n', 1],
  );
  const args = await strata(root, ["system", "prune", "x"]);
  assert.deepEqual(
    [args.code, args.stderr.split("\n")[0]],
    [1, '"strata system prune" accepts no arguments.'],
  );
  const live = await id("live");
  await ok(["rm", "-f", "live"]);
  // conmon and its exit command touch the store until they end; the root is removed after this file.
  for (let i = 0; i < 100 && monitorsOf(live); i++) await new Promise((r) => setTimeout(r, 100));
});

function monitorsOf(containerId: string): boolean {
  return readdirSync("/proc").some((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(containerId);
    } catch {
      return false;
    }
  });
}
