/**
 * NODE_EXTRA_CA_CERTS as Node means it, but read only when strata opens a TLS
 * connection: the launcher line keeps it out of Node's start (src/sys/extra-ca.ts).
 * A loopback HTTPS server with a certificate from a CA made here serves a
 * tarball to `import URL`; only NODE_EXTRA_CA_CERTS makes strata trust it.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { strata } from "../support/cli.ts";
import { makeCertificates } from "../support/tls.ts";
import { tempDir } from "../support/tmp.ts";

const root = tempDir();
const dir = tempDir();
const ca = join(dir, "ca.pem");
let server: Server;
let url: string;

before(async () => {
  const { key, cert } = makeCertificates(dir);
  const rootfs = join(dir, "rootfs");
  mkdirSync(rootfs);
  writeFileSync(join(rootfs, "hello"), "over TLS\n");
  const tar = execFileSync("tar", ["-C", rootfs, "-c", "."]);
  server = createServer({ key, cert }, (_req, res) => {
    res.writeHead(200, { "content-type": "application/x-tar" });
    res.end(tar);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/rootfs.tar`;
});
after(() => server?.close());

const withCa = (file: string | undefined) => {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return file === undefined ? env : { ...env, NODE_EXTRA_CA_CERTS: file };
};

test("a command that opens no TLS connection never reads NODE_EXTRA_CA_CERTS", async () => {
  // Node itself warns at start, on every command, about a file it cannot read.
  const r = await strata(root, ["images", "-q"], { env: withCa(join(dir, "missing.pem")) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
});

test("import over HTTPS trusts the certificates NODE_EXTRA_CA_CERTS names", async () => {
  const r = await strata(root, ["import", url, "local/tls:1"], { env: withCa(ca) });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Downloading from https:\/\/127\.0\.0\.1:\d+\/rootfs\.tar\nsha256:[0-9a-f]{64}\n$/);
  const listed = await strata(root, ["images", "--format", "{{.Repository}}:{{.Tag}}", "local/tls"]);
  assert.equal(listed.stdout, "local/tls:1\n");
});

test("without them the server's certificate is refused", async () => {
  const r = await strata(root, ["import", url, "local/tls:2"], { env: withCa(undefined) });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /certificate/);
});

test("a file that cannot be read: Node's warning, once a connection needs it, and no trust", async () => {
  const missing = join(dir, "missing.pem");
  const r = await strata(root, ["import", url, "local/tls:3"], { env: withCa(missing) });
  assert.equal(r.code, 1);
  const [warning, ...rest] = r.stderr.split("\n");
  assert.match(
    warning,
    new RegExp(`^Warning: Ignoring extra certs from \`${missing}\`, load failed: ENOENT`),
  );
  assert.match(rest.join("\n"), /certificate/);
});
