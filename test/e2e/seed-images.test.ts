/**
 * The seed story's image half, through the built CLI against a real registry:
 * pull v1 then v2 (shared layers `Already exists`), images, system df -v
 * (shared counted once), inspect, history, rmi keeping what v2 still uses.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { RegistryClient } from "../../src/registry/index.ts";
import { strata } from "../support/cli.ts";
import { pushServidorweb } from "../support/fixtures.ts";
import { startRegistry } from "../support/registry.ts";
import { tempDir } from "../support/tmp.ts";

let registry: Awaited<ReturnType<typeof startRegistry>>;
let v1: string;
let v2: string;
const root = tempDir();

before(async () => {
  registry = await startRegistry();
  await pushServidorweb(new RegistryClient(), registry.host);
  v1 = `${registry.host}/servidorweb:v1`;
  v2 = `${registry.host}/servidorweb:v2`;
});
after(() => registry?.stop());

/** Apparent size of a layer directory, computed by GNU find (independent of strata's counting). */
function duApparent(dir: string): number {
  const out = execFileSync("find", [dir, "-mindepth", "1", "!", "-type", "d", "-printf", "%i %s\\n"], {
    encoding: "utf8",
  });
  const seen = new Map<string, number>();
  for (const line of out.split("\n").filter(Boolean)) {
    const [inode, size] = line.split(" ");
    seen.set(inode, Number(size));
  }
  return [...seen.values()].reduce((a, b) => a + b, 0);
}

test("pull v1 downloads three layers with Docker's lines", async () => {
  const r = await strata(root, ["pull", v1]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(lines[0], "v1: Pulling from servidorweb");
  assert.equal(lines.filter((l) => /^[0-9a-f]{12}: Pull complete$/.test(l)).length, 3);
  assert.equal(lines.filter((l) => /^[0-9a-f]{12}: Pulling fs layer$/.test(l)).length, 3);
  assert.match(lines.at(-3)!, /^Digest: sha256:[0-9a-f]{64}$/);
  assert.equal(lines.at(-2), `Status: Downloaded newer image for ${v1}`);
  assert.equal(lines.at(-1), v1);
});

test("pull v2 reuses the two shared layers: Already exists", async () => {
  const r = await strata(root, ["pull", v2]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.equal(lines.filter((l) => l.endsWith(": Already exists")).length, 2);
  assert.equal(lines.filter((l) => l.endsWith(": Pull complete")).length, 1);
  assert.ok(lines.includes(`Status: Downloaded newer image for ${v2}`));
  const again = await strata(root, ["pull", v2]);
  assert.deepEqual(again.stdout.split("\n").slice(0, 1), ["v2: Pulling from servidorweb"]);
  assert.ok(again.stdout.includes(`Status: Image is up to date for ${v2}`));
  assert.doesNotMatch(again.stdout, /Pull complete|Already exists/);
});

test("images lists both with the same full size; layers are stored once", async () => {
  const r = await strata(root, ["images"]);
  assert.equal(r.code, 0, r.stderr);
  const [header, ...rows] = r.stdout.trimEnd().split("\n");
  assert.match(header, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
  assert.equal(rows.length, 2);
  assert.ok(rows.every((row) => row.startsWith(`${registry.host}/servidorweb   v`)));
  assert.equal(readdirSync(join(root, "layers")).length, 4, "2 shared layers + one top layer each");
});

test("system df -v splits SHARED and UNIQUE exactly as the layers on disk say", async () => {
  const ids = (await strata(root, ["images", "-q", "--no-trunc"])).stdout.trim().split("\n");
  assert.equal(ids.length, 2);
  const r = await strata(root, ["system", "df", "-v"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^Images space usage:\n\nREPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS\n/,
  );
  const row = (tag: string) =>
    r.stdout
      .split("\n")
      .find((l) => l.includes(`servidorweb   ${tag} `))!
      .split(/ {2,}/);
  // The top layers hold only index.html: 22 and 25 bytes.
  assert.equal(row("v1")[6], "22B");
  assert.equal(row("v2")[6], "25B");
  assert.equal(row("v1")[7], "0");
  // SIZE and SHARED SIZE agree with an independent walk of the layer directories.
  const layerDirs = readdirSync(join(root, "layers")).map((h) => join(root, "layers", h, "diff"));
  const sizes = layerDirs.map(duApparent).sort((a, b) => b - a);
  const shared = sizes[0] + sizes[1];
  const inspect = JSON.parse((await strata(root, ["inspect", v1])).stdout)[0];
  assert.equal(inspect.Size, shared + 22);
  assert.match(
    r.stdout,
    /\n\nContainers space usage:\n\nCONTAINER ID +IMAGE +COMMAND +LOCAL VOLUMES +SIZE +CREATED +STATUS +NAMES\n/,
  );
  assert.match(
    r.stdout,
    /\nBuild cache usage: 0B\n\nCACHE ID {3}CACHE TYPE {3}SIZE {6}CREATED {3}LAST USED {3}USAGE {5}SHARED\n$/,
  );
});

test("inspect shows the diff IDs as RootFS.Layers; history matches sizes to layers", async () => {
  const r = await strata(root, ["inspect", "--format", "{{json .RootFS}}", v1]);
  assert.equal(r.code, 0, r.stderr);
  const rootfs = JSON.parse(r.stdout);
  assert.equal(rootfs.Type, "layers");
  assert.equal(rootfs.Layers.length, 3);
  const h = await strata(root, ["history", v1]);
  assert.equal(h.code, 0, h.stderr);
  const lines = h.stdout.trimEnd().split("\n");
  assert.match(lines[0], /^IMAGE +CREATED +CREATED BY +SIZE +COMMENT/);
  assert.ok(
    lines.some((l) => /\s22B\s/.test(l)),
    h.stdout,
  );
  const missing = await strata(root, ["inspect", "nope:v9"]);
  assert.equal(missing.code, 1);
  // Without --type, Docker looks for any object (containers first) and says so.
  assert.equal(missing.stderr.trim(), "Error: No such object: nope:v9");
  const missingImage = await strata(root, ["image", "inspect", "nope:v9"]);
  assert.equal(missingImage.code, 1);
  assert.equal(missingImage.stderr.trim(), "Error: No such image: nope:v9");
});

test("rmi v1 frees only v1's own layer; v2 stays intact and verifiable", async () => {
  const id = (await strata(root, ["inspect", "--format", "{{.Id}}", v1])).stdout.trim();
  const r = await strata(root, ["rmi", v1]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.equal(lines[0], `Untagged: ${v1}`);
  assert.match(lines[1], new RegExp(`^Untagged: ${registry.host}/servidorweb@sha256:[0-9a-f]{64}$`));
  assert.equal(lines[2], `Deleted: ${id}`);
  assert.equal(lines.length, 4, "one layer freed: the top one");
  assert.equal(readdirSync(join(root, "layers")).length, 3);
  const check = await strata(root, ["system", "check"]);
  assert.equal(check.code, 0, check.stderr);
  const gone = await strata(root, ["rmi", v1]);
  assert.equal(gone.code, 1);
  assert.equal(gone.stderr.trim(), `Error response from daemon: No such image: ${v1}`);
  const rm2 = await strata(root, ["rmi", v2]);
  assert.equal(rm2.code, 0, rm2.stderr);
  assert.equal(rm2.stdout.trimEnd().split("\n").length, 2 + 1 + 3, "untag×2, image, three layers");
  assert.deepEqual(readdirSync(join(root, "layers")), []);
});
