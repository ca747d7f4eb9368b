/**
 * Flags and fields that must mean what Docker's mean: `import URL` downloads
 * the tarball (a loopback HTTP server made here), `image inspect` names the
 * overlay directories as Docker's overlay2 does for an image, a detached
 * container records no attached streams, and `ps --filter status=` takes
 * exactly Docker's states.
 */
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { strata } from "../support/cli.ts";
import { busyboxBaseTar } from "../support/fixtures.ts";
import { tempDir } from "../support/tmp.ts";

const root = tempDir();
const dir = tempDir();
const IMAGE = "local/bb:surface";
let server: Server;
let base: string;

before(async () => {
  const tar = busyboxBaseTar();
  writeFileSync(join(dir, "bb.tar"), tar);
  assert.equal((await strata(root, ["import", join(dir, "bb.tar"), IMAGE])).code, 0);
  server = createServer((req, res) => {
    if (req.url === "/rootfs.tar") {
      res.writeHead(200, { "content-type": "application/x-tar" });
      res.end(tar);
    } else if (req.url === "/moved.tar") {
      res.writeHead(302, { location: "/rootfs.tar" });
      res.end();
    } else {
      res.writeHead(404, "Nothing Here");
      res.end("no such tarball\n");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server?.close());

async function ok(args: string[]): Promise<string> {
  const r = await strata(root, args);
  assert.equal(r.code, 0, `strata ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

test("import URL downloads the tarball, as Docker's daemon does", async () => {
  const out = await ok(["import", `${base}/moved.tar`, "local/fromurl:1"]);
  const [line, id] = out.split("\n");
  assert.equal(line, `Downloading from ${base}/moved.tar`);
  assert.match(id as string, /^sha256:[0-9a-f]{64}$/);
  assert.equal(
    await ok(["run", "--rm", "local/fromurl:1", "sh", "-c", "echo from-url"]),
    "from-url\n",
    "the downloaded root file system runs",
  );
  assert.equal(
    await ok(["history", "--format", "{{.Comment}}", "local/fromurl:1"]),
    `Imported from ${base}/moved.tar\n`,
  );

  const missing = await strata(root, ["import", `${base}/nope.tar`]);
  assert.equal(missing.code, 1);
  assert.equal(
    missing.stderr,
    `Error response from daemon: failed to GET ${base}/nope.tar with status 404 Nothing Here: no such tarball\n`,
  );
  assert.equal(missing.stdout, "");
  const refused = await strata(root, ["import", "http://127.0.0.1:1/x.tar"]);
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr,
    'Error response from daemon: Get "http://127.0.0.1:1/x.tar": dial tcp 127.0.0.1:1: connect: connection refused\n',
  );
});

test("image inspect names the overlay directories as Docker's overlay2 does for an image", async () => {
  // Docker 20.10 for an imported image: {"MergedDir":".../overlay2/<id>/merged","UpperDir":".../<id>/diff",
  // "WorkDir":".../<id>/work"}; only diff exists there too (an image is never mounted).
  const data = JSON.parse(await ok(["image", "inspect", "--format", "{{json .GraphDriver.Data}}", IMAGE]));
  assert.deepEqual(Object.keys(data).sort(), ["MergedDir", "UpperDir", "WorkDir"]);
  const layerDir = (data.UpperDir as string).replace(/\/diff$/, "");
  assert.equal(data.MergedDir, `${layerDir}/merged`);
  assert.equal(data.WorkDir, `${layerDir}/work`);
  assert.equal(existsSync(data.UpperDir), true);
});

test("a detached container records no attached streams; a created one stdout and stderr", async () => {
  const attach =
    "{{.Config.AttachStdin}} {{.Config.AttachStdout}} {{.Config.AttachStderr}} {{.Config.StdinOnce}}";
  const detached = (await ok(["run", "-d", "-i", IMAGE, "sleep", "60"])).trim();
  assert.equal(await ok(["inspect", "--format", attach, detached]), "false false false false\n");
  const created = (await ok(["create", "-i", IMAGE, "true"])).trim();
  assert.equal(await ok(["inspect", "--format", attach, created]), "true true true true\n");
  const plain = (await ok(["create", IMAGE, "true"])).trim();
  assert.equal(await ok(["inspect", "--format", attach, plain]), "false true true false\n");
  await ok(["rm", "-f", detached, created, plain]);
});

test("ps --filter status= takes Docker's states, and only those", async () => {
  for (const state of ["created", "restarting", "running", "removing", "paused", "exited", "dead"]) {
    await ok(["ps", "-a", "--filter", `status=${state}`]);
  }
  const bad = await strata(root, ["ps", "--filter", "status=sleeping"]);
  assert.deepEqual(
    [bad.code, bad.stderr],
    [1, "Error response from daemon: Invalid filter 'status=sleeping'\n"],
  );
  const exited = await strata(root, ["ps", "--filter", "exited=abc"]);
  assert.deepEqual(
    [exited.code, exited.stderr],
    [1, 'Error response from daemon: strconv.Atoi: parsing "abc": invalid syntax\n'],
  );
});

test("rmi deletes an untagged parent image with its last child; --no-prune keeps it; a parent with children stays", async () => {
  const r = join(tempDir(), "store");
  const run = async (args: string[]) => {
    const res = await strata(r, args);
    assert.equal(res.code, 0, `strata ${args.join(" ")}: ${res.stderr}`);
    return res.stdout;
  };
  await run(["import", join(dir, "bb.tar"), "local/base:1"]);
  const base = (await run(["inspect", "--format", "{{.Id}}", "local/base:1"])).trim();
  const child = async (tag: string) => {
    const c = (await run(["create", base, "sh", "-c", `echo ${tag} > /${tag}`])).trim();
    await run(["start", "-a", c]);
    const id = (await run(["commit", c, `local/child:${tag}`])).trim();
    await run(["rm", c]);
    return id;
  };
  const one = await child("one");
  assert.equal(await run(["inspect", "--format", "{{.Parent}}", "local/child:one"]), `${base}\n`);
  const refused = await strata(r, ["rmi", "-f", base]);
  assert.equal(refused.code, 1);
  assert.equal(
    refused.stderr,
    `Error response from daemon: conflict: unable to delete ${base.slice(7, 19)} (cannot be forced) - image has dependent child images\n`,
  );
  // Its last name goes, the image stays: a child is built on it.
  assert.equal(await run(["rmi", "local/base:1"]), "Untagged: local/base:1\n");
  assert.match(await run(["images", "-a", "-q", "--no-trunc"]), new RegExp(base));

  const kept = await run(["rmi", "--no-prune", "local/child:one"]);
  assert.match(
    kept,
    new RegExp(`^Untagged: local/child:one\nDeleted: ${one}\nDeleted: sha256:[0-9a-f]{64}\n$`),
  );
  assert.equal(await run(["images", "-a", "-q", "--no-trunc"]), `${base}\n`, "--no-prune keeps the parent");

  const two = await child("two");
  const pruned = await run(["rmi", "local/child:two"]);
  const lines = pruned.trim().split("\n");
  assert.deepEqual(lines.slice(0, 2), ["Untagged: local/child:two", `Deleted: ${two}`]);
  assert.ok(lines.includes(`Deleted: ${base}`), pruned);
  assert.equal(await run(["images", "-a", "-q"]), "", "the untagged parent went with its last child");
  assert.match(await run(["system", "check"]), /no problems/);
});
