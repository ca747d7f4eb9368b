/**
 * The seed story's container half, with real crun and overlayfs: a container's
 * SIZE is its own writable layer, its virtual size adds the image's; writing
 * copies up without touching the shared image layers; an image a container
 * uses cannot be removed.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { RegistryClient } from "../../src/registry/index.ts";
import { strata } from "../support/cli.ts";
import { pushServidorweb } from "../support/fixtures.ts";
import { startRegistry } from "../support/registry.ts";
import { tempDir } from "../support/tmp.ts";

let registry: Awaited<ReturnType<typeof startRegistry>>;
let v2: string;
const root = tempDir();

before(async () => {
  registry = await startRegistry();
  await pushServidorweb(new RegistryClient(), registry.host);
  v2 = `${registry.host}/servidorweb:v2`;
});
after(() => registry?.stop());

/** A digest of every image layer's files and metadata, to prove containers never change them. */
function layersDigest(): string {
  const dirs = readdirSync(join(root, "layers")).sort();
  const h = createHash("sha256");
  for (const d of dirs)
    h.update(
      execFileSync("tar", ["-C", join(root, "layers", d, "diff"), "--sort=name", "-cf", "-", "."], {
        maxBuffer: 1 << 30,
      }),
    );
  return h.digest("hex");
}

function sizeColumn(ps: string, name: string): string {
  const line = ps
    .split("\n")
    .find((l) => l.includes(`   ${name}   `) || l.trimEnd().endsWith(name) || l.includes(` ${name} `));
  assert.ok(line, `row for ${name} in\n${ps}`);
  return line.slice(line.lastIndexOf(name) + name.length).trim();
}

test("run pulls a missing image first, on stderr, as Docker does", async () => {
  const r = await strata(root, ["run", "--rm", "--name", "first", v2, "cat", "/var/www/html/index.html"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^Unable to find image '${v2}' locally\nv2: Pulling from servidorweb\n`));
  assert.match(r.stdout, /Servidor web/);
  assert.equal((await strata(root, ["ps", "-a", "-q"])).stdout, "", "--rm removed it");
});

test("a container's size is its own writes; image layers stay untouched", async () => {
  const before = layersDigest();
  const created = await strata(root, ["create", "--name", "idle", v2]);
  assert.equal(created.code, 0, created.stderr);
  const ps0 = await strata(root, ["ps", "-a", "-s"]);
  const size = JSON.parse((await strata(root, ["inspect", v2])).stdout)[0].Size as number;
  assert.match(sizeColumn(ps0.stdout, "idle"), /^0B \(virtual [\d.]+[kM]B\)$/);

  const r = await strata(root, [
    "run",
    "--name",
    "writer1",
    v2,
    "sh",
    "-c",
    "head -c 1048576 /dev/zero > /root/blob.bin; echo hola >> /var/www/html/index.html; echo wrote",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "wrote\n");
  const ps = await strata(root, ["ps", "-a", "-s"]);
  assert.match(ps.stdout, /^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES +SIZE\n/);
  // 1 MiB written plus index.html copied up (25 bytes + "hola\n").
  const written = 1048576 + 25 + 5;
  assert.match(sizeColumn(ps.stdout, "writer1"), /^1\.05MB \(virtual [\d.]+MB\)$/);
  assert.match(ps.stdout, /Exited \(0\) /);
  assert.equal(layersDigest(), before, "copy-up never changes an image layer");
  const df = await strata(root, ["system", "df", "-v"]);
  assert.match(df.stdout, /writer1\n/);
  assert.match(df.stdout, /\s1\.05MB\s/);
  assert.ok(written > 0 && size > 0);
  const diff = await strata(root, ["diff", "writer1"]);
  assert.match(diff.stdout, /^C \/root\nA \/root\/blob\.bin\n/m);
  assert.match(diff.stdout, /C \/var\/www\/html\/index\.html/);
});

test("an image used by a container cannot be removed; Docker's exit codes for bad commands", async () => {
  const id = (await strata(root, ["inspect", "--format", "{{.Id}}", v2])).stdout.trim();
  const byName = await strata(root, ["rmi", v2]);
  assert.equal(byName.code, 1);
  assert.match(
    byName.stderr,
    /^Error response from daemon: conflict: unable to remove repository reference ".*servidorweb:v2" \(must force\) - container [0-9a-f]{12} is using its referenced image [0-9a-f]{12}\n$/,
  );
  const byId = await strata(root, ["rmi", id]);
  assert.equal(byId.code, 1);
  assert.match(byId.stderr, /\(must be forced\) - image is being used by stopped container [0-9a-f]{12}/);
  const missing = await strata(root, ["run", "--rm", v2, "nope"]);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /exec: "nope": executable file not found in \$PATH/);
  const exit3 = await strata(root, ["run", "--rm", v2, "sh", "-c", "exit 3"]);
  assert.equal(exit3.code, 3);
  const dup = await strata(root, ["create", "--name", "writer1", v2]);
  assert.equal(dup.code, 125);
  assert.match(
    dup.stderr,
    /^strata: Error response from daemon: Conflict\. The container name "\/writer1" is already in use by container "[0-9a-f]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\.\nSee 'strata create --help'\.\n$/,
  );
  assert.equal((await strata(root, ["rm", "writer1", "idle"])).code, 0);
  const ok = await strata(root, ["rmi", v2]);
  assert.equal(ok.code, 0, ok.stderr);
});

test("--network none leaves only lo, the default bridge adds eth0; hostname is the short ID; /etc files are bind-mounted", async () => {
  const args = [`${registry.host}/servidorweb:v1`, "ls", "/sys/class/net"];
  const net = await strata(root, ["run", "--rm", "--network", "none", ...args]);
  assert.equal(net.code, 0, net.stderr);
  assert.equal(net.stdout, "lo\n");
  // Without --network, the default bridge: an interface of its own.
  const bridged = await strata(root, ["run", "--rm", ...args]);
  assert.equal(bridged.stdout, "eth0\nlo\n", bridged.stderr);
  const host = await strata(root, [
    "run",
    "--name",
    "h1",
    `${registry.host}/servidorweb:v1`,
    "cat",
    "/etc/hostname",
  ]);
  const id = (await strata(root, ["ps", "-a", "-q", "--no-trunc"])).stdout.trim();
  assert.equal(host.stdout.trim(), id.slice(0, 12));
  const ps = await strata(root, ["ps", "-a", "-s"]);
  assert.match(sizeColumn(ps.stdout, "h1"), /^0B /, "bind-mounted /etc files do not count");
});
