/**
 * push, login and logout through the built CLI against Debian's
 * docker-registry on 127.0.0.1: mounts within a registry, verified copies to
 * a second registry (digests kept), `Layer already exists` with nothing
 * sent (counted by a proxy), imported and committed images gzipped once and
 * pulled back by a fresh store and by skopeo, Docker's errors, a restarted
 * upload, a push SIGKILLed mid-layer, config.json and a credential helper.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { sha256Digest } from "../../src/digest/index.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { CLI, strata } from "../support/cli.ts";
import { type CountingProxy, startCountingProxy } from "../support/counting-proxy.ts";
import { busyboxBaseTar, pushServidorweb } from "../support/fixtures.ts";
import { scratchDir, tarDirectory, writeTree } from "../support/fixtures-image.ts";
import { startRegistry, type TestRegistry } from "../support/registry.ts";
import { tempDir } from "../support/tmp.ts";

let source: TestRegistry; // where the seed images come from
let second: TestRegistry; // another registry, behind `proxy`
let proxy: CountingProxy;
let secured: TestRegistry; // htpasswd
let sourceDigest: string;
const root = tempDir();
const home = tempDir("strata-home-");
const env = { HOME: home, DOCKER_CONFIG: "" };

const run = (args: string[], opts: { input?: string; root?: string } = {}) =>
  strata(opts.root ?? root, args, { input: opts.input, env });
const lines = (text: string) => text.trimEnd().split("\n");
const layerLines = (out: string, word: string) => lines(out).filter((l) => l.endsWith(`: ${word}`)).length;
const digestLine = (out: string, tag: string) => {
  const m = new RegExp(`^${tag}: digest: (sha256:[0-9a-f]{64}) size: (\\d+)$`, "m").exec(out);
  assert.ok(m, `no digest line for ${tag} in:\n${out}`);
  return { digest: m[1], size: Number(m[2]) };
};

before(async () => {
  [source, second, secured] = await Promise.all([
    startRegistry(),
    startRegistry(),
    startRegistry({ auth: "basic" }),
  ]);
  proxy = await startCountingProxy(second.host);
  const pushed = await pushServidorweb(new RegistryClient(), source.host);
  sourceDigest = pushed.v1.manifestDigest;
  for (const v of ["v1", "v2"]) {
    const r = await run(["pull", "-q", `${source.host}/servidorweb:${v}`]);
    assert.equal(r.code, 0, r.stderr);
  }
});
after(async () => {
  await proxy?.close();
  await Promise.all([source?.stop(), second?.stop(), secured?.stop()]);
});

test("a pulled image pushed to a new repository of its registry: every layer mounted, same digest", async () => {
  assert.equal((await run(["tag", `${source.host}/servidorweb:v1`, `${source.host}/copy:v1`])).code, 0);
  const r = await run(["push", `${source.host}/copy:v1`]);
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  assert.equal(out[0], `The push refers to repository [${source.host}/copy]`);
  assert.deepEqual(
    out.slice(1, 4).map((l) => l.replace(/^[0-9a-f]{12}: /, "")),
    ["Preparing", "Preparing", "Preparing"],
  );
  assert.equal(layerLines(r.stdout, "Mounted from servidorweb"), 3);
  const { digest, size } = digestLine(r.stdout, "v1");
  assert.equal(digest, sourceDigest);
  assert.ok(size > 0);
  // Docker names pushed layers by their diff IDs, top layer first.
  const inspect = await run(["inspect", "--format", "{{json .RootFS.Layers}}", `${source.host}/copy:v1`]);
  const diffIds = (JSON.parse(inspect.stdout) as string[]).map((d) => d.slice(7, 19)).reverse();
  assert.deepEqual(
    out.slice(1, 4).map((l) => l.slice(0, 12)),
    diffIds,
  );
});

test("to a second registry: blobs copied from the source, the manifest digest kept; again: nothing sent", async () => {
  const target = `${proxy.host}/web:v1`;
  assert.equal((await run(["tag", `${source.host}/servidorweb:v1`, target])).code, 0);
  const r = await run(["push", target]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(layerLines(r.stdout, "Pushed"), 3);
  assert.equal(digestLine(r.stdout, "v1").digest, sourceDigest);
  assert.equal(proxy.count("PATCH"), 3);

  proxy.log.length = 0;
  const again = await run(["push", target]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(layerLines(again.stdout, "Layer already exists"), 3);
  assert.equal(digestLine(again.stdout, "v1").digest, sourceDigest);
  assert.equal(proxy.count("POST"), 0);
  assert.equal(proxy.count("PATCH"), 0);
  assert.equal(proxy.count("PUT", /\/blobs\//), 0);
  assert.equal(proxy.count("PUT", /\/manifests\//), 1);
});

test("--all-tags pushes every tag of the repository; -q prints only the reference", async () => {
  assert.equal((await run(["tag", `${source.host}/servidorweb:v2`, `${proxy.host}/web:v2`])).code, 0);
  const r = await run(["push", "--all-tags", `${proxy.host}/web`]);
  assert.equal(r.code, 0, r.stderr);
  digestLine(r.stdout, "v1");
  digestLine(r.stdout, "v2");
  assert.equal(lines(r.stdout).filter((l) => l.startsWith("The push refers")).length, 1);
  const q = await run(["push", "-q", `${proxy.host}/web:v2`]);
  assert.equal(q.code, 0, q.stderr);
  assert.equal(q.stdout, `${proxy.host}/web:v2\n`);
  const tagged = await run(["push", "-a", `${proxy.host}/web:v2`]);
  assert.equal(tagged.code, 1);
  assert.equal(tagged.stderr, "tag can't be used with --all-tags/-a\n");
});

/** Pulls with skopeo (no daemon) into a dir: layout; returns the manifest, the config and a blob reader. */
function skopeoCopy(ref: string) {
  const dir = scratchDir("strata-skopeo-");
  execFileSync("skopeo", ["copy", "-q", "--src-tls-verify=false", `docker://${ref}`, `dir:${dir}`], {
    timeout: 30_000,
  });
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  const blob = (digest: string) => readFileSync(join(dir, digest.slice(7)));
  const config = JSON.parse(blob(manifest.config.digest).toString("utf8"));
  return { manifest, config, blob };
}

let importedDigest = "";
test("an imported image: gzipped, pushed as Docker's schema2, pulled back by a fresh store and by skopeo", async () => {
  const tree = scratchDir("strata-imp-");
  writeTree(tree, { "srv/hello.txt": "hola desde strata\n" });
  const tarPath = join(tree, "..", `imp-${process.pid}.tar`);
  writeFileSync(tarPath, Buffer.concat([tarDirectory(tree)]));
  assert.equal((await run(["import", tarPath, `${proxy.host}/imp:v1`])).code, 0);
  const r = await run(["push", `${proxy.host}/imp:v1`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(layerLines(r.stdout, "Pushed"), 1);
  importedDigest = digestLine(r.stdout, "v1").digest;

  const s = skopeoCopy(`${second.host}/imp:v1`);
  assert.equal(s.manifest.mediaType, "application/vnd.docker.distribution.manifest.v2+json");
  assert.equal(s.manifest.layers[0].mediaType, "application/vnd.docker.image.rootfs.diff.tar.gzip");
  const tar = gunzipSync(s.blob(s.manifest.layers[0].digest));
  const local = await run(["inspect", "--format", "{{json .RootFS.Layers}}", `${proxy.host}/imp:v1`]);
  assert.deepEqual(s.config.rootfs.diff_ids, JSON.parse(local.stdout));
  assert.equal(sha256Digest(tar), s.config.rootfs.diff_ids[0]);
  assert.match(tar.toString("latin1"), /hola desde strata/);

  const fresh = tempDir();
  const pulled = await run(["pull", `${proxy.host}/imp:v1`], { root: fresh });
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.match(pulled.stdout, new RegExp(`Digest: ${importedDigest}`));
  const back = await run(["inspect", "--format", "{{json .RootFS.Layers}}", `${proxy.host}/imp:v1`], {
    root: fresh,
  });
  assert.equal(back.stdout, local.stdout);

  // The compressed digest was recorded: pushing again sends nothing, another registry gets a copy.
  proxy.log.length = 0;
  const again = await run(["push", `${proxy.host}/imp:v1`]);
  assert.equal(layerLines(again.stdout, "Layer already exists"), 1);
  assert.equal(proxy.count("PATCH"), 0);
  assert.equal((await run(["tag", `${proxy.host}/imp:v1`, `${source.host}/imp:v1`])).code, 0);
  const copied = await run(["push", `${source.host}/imp:v1`]);
  assert.equal(copied.code, 0, copied.stderr);
  assert.equal(digestLine(copied.stdout, "v1").digest, importedDigest);
});

test("a committed image: pushed, pulled back with its new file by skopeo and by a fresh store", async () => {
  const base = scratchDir("strata-bb-");
  const baseTar = join(base, "busybox.tar");
  writeFileSync(baseTar, busyboxBaseTar());
  assert.equal((await run(["import", baseTar, "local/busybox:1"])).code, 0);
  const c = await run([
    "run",
    "--name",
    "pushc",
    "local/busybox:1",
    "sh",
    "-c",
    "echo committed > /note.txt",
  ]);
  assert.equal(c.code, 0, c.stderr);
  assert.equal((await run(["commit", "pushc", `${proxy.host}/committed:v1`])).code, 0);
  await run(["rm", "-f", "pushc"]);
  const r = await run(["push", `${proxy.host}/committed:v1`]);
  assert.equal(r.code, 0, r.stderr);
  // The busybox layer is servidorweb's base, already in that registry: mounted, not sent.
  assert.equal(layerLines(r.stdout, "Mounted from web"), 1);
  assert.equal(layerLines(r.stdout, "Pushed"), 1);
  const s = skopeoCopy(`${second.host}/committed:v1`);
  const top = gunzipSync(s.blob(s.manifest.layers[1].digest));
  assert.equal(sha256Digest(top), s.config.rootfs.diff_ids[1]);
  assert.match(top.toString("latin1"), /note\.txt[\s\S]*committed\n/);
  const fresh = tempDir();
  assert.equal((await run(["pull", "-q", `${proxy.host}/committed:v1`], { root: fresh })).code, 0);
  const cat = await run(["run", "--rm", `${proxy.host}/committed:v1`, "cat", "/note.txt"], { root: fresh });
  assert.equal(cat.stdout, "committed\n", cat.stderr);
});

test("a built image: pushed, pulled back by a fresh store, and it runs", async () => {
  const ctx = scratchDir("strata-ctx-");
  writeTree(ctx, {
    Dockerfile:
      'FROM local/busybox:1\nRUN echo built > /built.txt\nCOPY hello.txt /srv/\nCMD ["cat", "/built.txt"]\n',
    "hello.txt": "hola\n",
  });
  const b = await run(["build", "-q", "-t", `${proxy.host}/built:v1`, ctx]);
  assert.equal(b.code, 0, b.stderr);
  const r = await run(["push", `${proxy.host}/built:v1`]);
  assert.equal(r.code, 0, r.stderr);
  // Two new layers; the busybox base is already in that registry, so it is mounted.
  assert.equal(layerLines(r.stdout, "Pushed"), 2);
  assert.equal(lines(r.stdout).filter((l) => / Mounted from \w+$/.test(l)).length, 1);
  const fresh = tempDir();
  assert.equal((await run(["pull", "-q", `${proxy.host}/built:v1`], { root: fresh })).code, 0);
  const out = await run(["run", "--rm", `${proxy.host}/built:v1`], { root: fresh });
  assert.equal(out.stdout, "built\n", out.stderr);
});

test("bad input: one line, exit 1, nothing pushed", async () => {
  const missing = await run(["push", `${proxy.host}/web:nope`]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stdout, `The push refers to repository [${proxy.host}/web]\n`);
  assert.equal(missing.stderr, `tag does not exist: ${proxy.host}/web:nope\n`);

  const none = await run(["push", `${proxy.host}/nothing:v1`]);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, `An image does not exist locally with the tag: ${proxy.host}/nothing\n`);

  assert.equal((await run(["tag", `${source.host}/servidorweb:v1`, "127.0.0.1:1/web:v1"])).code, 0);
  const down = await run(["push", "127.0.0.1:1/web:v1"]);
  assert.equal(down.code, 1);
  assert.equal(down.stdout, "The push refers to repository [127.0.0.1:1/web]\n");
  assert.equal(
    down.stderr,
    'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused\n',
  );

  assert.equal((await run(["tag", `${source.host}/servidorweb:v1`, `${secured.host}/web:v1`])).code, 0);
  const noAuth = await run(["push", `${secured.host}/web:v1`]);
  assert.equal(noAuth.code, 1);
  assert.equal(layerLines(noAuth.stdout, "Preparing"), 3);
  assert.equal(noAuth.stderr, "no basic auth credentials\n");

  const readOnly = await startRegistry({ readOnly: true });
  try {
    assert.equal((await run(["tag", `${source.host}/servidorweb:v1`, `${readOnly.host}/web:v1`])).code, 0);
    const refused = await run(["push", `${readOnly.host}/web:v1`]);
    assert.equal(refused.code, 1);
    assert.equal(lines(refused.stderr).length, 1, refused.stderr);
    // distribution's read-only mode answers 405 with a plain-text body, worded as Docker's client words it.
    assert.match(refused.stderr, /^error parsing HTTP 405 response body: .*Method not allowed/);
    const listed = await fetch(`${readOnly.url}/v2/web/tags/list`);
    assert.equal(listed.status, 404);
  } finally {
    await readOnly.stop();
  }
});

/** A 24 MiB layer of random bytes (gzip cannot shrink it), imported under `name`. */
async function bigImage(name: string): Promise<void> {
  const tree = scratchDir("strata-big-");
  writeTree(tree, { "big.bin": randomBytes(24 << 20) });
  const tarPath = join(tree, "..", `big-${process.pid}-${Date.now()}.tar`);
  writeFileSync(tarPath, tarDirectory(tree));
  assert.equal((await run(["import", tarPath, name])).code, 0);
}

test("a connection reset mid-layer restarts that blob in a fresh upload and the push completes", async () => {
  await bigImage(`${proxy.host}/big:v1`);
  proxy.log.length = 0;
  proxy.faults.push({ method: "PATCH", afterBytes: 1 << 20, action: "reset" });
  const r = await run(["push", `${proxy.host}/big:v1`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(layerLines(r.stdout, "Pushed"), 1);
  assert.equal(proxy.count("PATCH"), 2);
  const fresh = tempDir();
  assert.equal((await run(["pull", "-q", `${proxy.host}/big:v1`], { root: fresh })).code, 0);
});

test("SIGKILL in the middle of a layer, then the same push: it completes and pulls", async () => {
  const name = `${proxy.host}/big2:v1`;
  await bigImage(name);
  proxy.faults.push({ method: "PATCH", afterBytes: 1 << 20, action: "stall" });
  const child = spawn(process.execPath, [CLI, "--root", root, "push", name], {
    env: { ...process.env, ...env },
    stdio: "ignore",
  });
  const exited = new Promise((r) => child.once("exit", r));
  await proxy.stalled();
  child.kill("SIGKILL");
  await exited;
  // Nothing half-published: the manifest goes last.
  assert.equal((await fetch(`http://${second.host}/v2/big2/manifests/v1`, { method: "HEAD" })).status, 404);
  const r = await run(["push", name]);
  assert.equal(r.code, 0, r.stderr);
  const fresh = tempDir();
  const pulled = await run(["pull", "-q", name], { root: fresh });
  assert.equal(pulled.code, 0, pulled.stderr);
});

test("login checks the password before saving it; config.json as Docker writes it; push and pull use it; logout", async () => {
  const config = join(home, ".docker", "config.json");
  const wrong = await run(["login", "-u", secured.username!, "--password-stdin", secured.host], {
    input: "wrong\n",
  });
  assert.equal(wrong.code, 1);
  assert.equal(
    wrong.stderr,
    `Error response from daemon: login attempt to http://${secured.host}/v2/ failed with status: 401 Unauthorized\n`,
  );
  assert.equal(existsSync(config), false);

  const good = await run(["login", "-u", secured.username!, "--password-stdin", secured.host], {
    input: `${secured.password}\n`,
  });
  assert.equal(good.code, 0, good.stderr);
  assert.equal(good.stdout, "Login Succeeded\n");
  assert.equal(
    good.stderr,
    `WARNING! Your password will be stored unencrypted in ${config}.\n` +
      "Configure a credential helper to remove this warning. See\n" +
      "https://docs.docker.com/engine/reference/commandline/login/#credentials-store\n\n",
  );
  assert.ok(!good.stdout.includes(secured.password!) && !good.stderr.includes(secured.password!));
  const auth = Buffer.from(`${secured.username}:${secured.password}`).toString("base64");
  assert.equal(
    readFileSync(config, "utf8"),
    `{\n\t"auths": {\n\t\t"${secured.host}": {\n\t\t\t"auth": "${auth}"\n\t\t}\n\t}\n}`,
  );
  assert.equal(statSync(config).mode & 0o777, 0o600);

  const pushed = await run(["push", `${secured.host}/web:v1`]);
  assert.equal(pushed.code, 0, pushed.stderr);
  assert.equal(digestLine(pushed.stdout, "v1").digest, sourceDigest);
  const fresh = tempDir();
  assert.equal((await run(["pull", "-q", `${secured.host}/web:v1`], { root: fresh })).code, 0);

  const out = await run(["logout", secured.host]);
  assert.equal(out.stdout, `Removing login credentials for ${secured.host}\n`);
  assert.equal(readFileSync(config, "utf8"), '{\n\t"auths": {}\n}');
  const again = await run(["logout", secured.host]);
  assert.equal(again.stdout, `Not logged in to ${secured.host}\n`);
  const denied = await run(["push", `${secured.host}/web:v1`]);
  assert.equal(denied.stderr, "no basic auth credentials\n");
});

test("login flags as Docker checks them", async () => {
  const both = await run(["login", "-u", "x", "-p", "y", "--password-stdin", secured.host], { input: "z" });
  assert.equal(both.code, 1);
  assert.equal(
    both.stderr,
    "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n" +
      "--password and --password-stdin are mutually exclusive\n",
  );
  const noUser = await run(["login", "--password-stdin", secured.host], { input: "z" });
  assert.equal(noUser.stderr, "Must provide --username with --password-stdin\n");
  const noTty = await run(["login", secured.host]);
  assert.equal(noTty.stderr, "Error: Cannot perform an interactive login from a non TTY device\n");
});

test("a credential helper (credsStore) holds the secret: store on login, get on push, erase on logout", async () => {
  const bin = tempDir("strata-helper-");
  const db = join(bin, "creds.json");
  const calls = join(bin, "calls.log");
  writeFileSync(db, "{}");
  // The helper protocol: the action as argument, the input on stdin, JSON out.
  const helper = join(bin, "docker-credential-strata-test");
  writeFileSync(
    helper,
    `#!/usr/bin/env node
const fs = require("fs");
const db = JSON.parse(fs.readFileSync(${JSON.stringify(db)}, "utf8"));
const input = fs.readFileSync(0, "utf8");
const action = process.argv[2];
fs.appendFileSync(${JSON.stringify(calls)}, action + "\\n");
if (action === "store") { const c = JSON.parse(input); db[c.ServerURL] = c; }
else if (action === "get") {
  const c = db[input.trim()];
  if (!c) { process.stdout.write("credentials not found in native keychain"); process.exit(1); }
  process.stdout.write(JSON.stringify({ ServerURL: c.ServerURL, Username: c.Username, Secret: c.Secret }));
}
else if (action === "erase") delete db[input.trim()];
if (action !== "get") fs.writeFileSync(${JSON.stringify(db)}, JSON.stringify(db));
`,
  );
  chmodSync(helper, 0o755);
  const helperHome = tempDir("strata-home-");
  const config = join(helperHome, ".docker", "config.json");
  execFileSync("mkdir", ["-p", join(helperHome, ".docker")]);
  writeFileSync(config, JSON.stringify({ credsStore: "strata-test" }));
  const henv = { HOME: helperHome, DOCKER_CONFIG: "", PATH: `${bin}:${process.env.PATH}` };
  const hrun = (args: string[], input?: string) => strata(root, args, { input, env: henv });

  const login = await hrun(
    ["login", "-u", secured.username!, "--password-stdin", secured.host],
    secured.password,
  );
  assert.equal(login.code, 0, login.stderr);
  assert.equal(login.stdout, "Login Succeeded\n");
  assert.equal(login.stderr, "");
  const saved = JSON.parse(readFileSync(db, "utf8"));
  assert.deepEqual(saved[secured.host], {
    ServerURL: secured.host,
    Username: secured.username,
    Secret: secured.password,
  });
  const doc = JSON.parse(readFileSync(config, "utf8"));
  assert.deepEqual(doc, { auths: { [secured.host]: {} }, credsStore: "strata-test" });
  assert.ok(!readFileSync(config, "utf8").includes(secured.password!));

  const pushed = await hrun(["push", `${secured.host}/web:v1`]);
  assert.equal(pushed.code, 0, pushed.stderr);
  assert.match(readFileSync(calls, "utf8"), /get/);

  const out = await hrun(["logout", secured.host]);
  assert.equal(out.stdout, `Removing login credentials for ${secured.host}\n`);
  assert.deepEqual(JSON.parse(readFileSync(db, "utf8")), {});
  assert.deepEqual(JSON.parse(readFileSync(config, "utf8")), { auths: {}, credsStore: "strata-test" });
});
