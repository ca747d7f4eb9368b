/**
 * The main job: the seed story end to end with the built CLI, as a user would
 * type it. Two local registries (Debian's docker-registry on 127.0.0.1) stand
 * in for Docker Hub. On a "builder" store: a Debian minbase base is imported
 * and pushed, then servidorweb:v1 and :v2 are BUILT from
 * examples/servidorweb (Debian, Apache by RUN, index.html: three layers, the
 * first two shared) and PUSHED. On a fresh "user" store: both are pulled (v2
 * brings only its last layer), sizes are shown honestly (images, system df -v,
 * image tree), the web server runs with a PUBLISHED PORT and its page is
 * fetched, the container's thin writable layer grows, removals follow Docker's
 * rules, and the image is pushed to a second registry and pulled back by a
 * third store with the same digest.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { minbase } from "../bench/images.ts";
import { startRegistry } from "../test/support/registry.ts";

const CLI = join(process.cwd(), "dist", "strata.js");
const EXAMPLE = join(process.cwd(), "examples", "servidorweb");
const work = mkdtempSync(join(tmpdir(), "strata-demo-"));
const stores = { builder: join(work, "builder"), user: join(work, "user"), other: join(work, "other") };

type StoreName = keyof typeof stores;

function say(text: string): void {
  process.stdout.write(`\n# ${text}\n`);
}

function strataAt(store: StoreName, args: string[], input?: Buffer): number {
  process.stdout.write(`\n[${store}] $ strata ${args.join(" ")}\n`);
  // The CLI as a user runs it: through its launcher line.
  const r = spawnSync(CLI, ["--root", stores[store], ...args], {
    stdio: [input ? "pipe" : "ignore", "inherit", "inherit"],
    input,
  });
  return r.status ?? 1;
}

/** One command's output, not printed (an image ID, a digest). */
function quiet(store: StoreName, ...args: string[]): string {
  const r = spawnSync(CLI, ["--root", stores[store], ...args], { encoding: "utf8" });
  return r.stdout.trim();
}

function expect(code: number, wanted: number, what: string): void {
  if (code !== wanted) {
    process.stderr.write(`demo: ${what} exited ${code}, expected ${wanted}\n`);
    process.exitCode = 1;
  }
}

const user = (...args: string[]) => strataAt("user", args);
const builder = (...args: string[]) => strataAt("builder", args);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** What a browser would get from the published port (retried while Apache starts). */
async function fetchPage(port: number): Promise<void> {
  process.stdout.write(`\n$ curl -s http://127.0.0.1:${port}/\n`);
  for (let attempt = 0; attempt < 150; attempt++) {
    const r = spawnSync("curl", ["-s", "--max-time", "2", `http://127.0.0.1:${port}/`], { encoding: "utf8" });
    if (r.status === 0 && r.stdout) {
      process.stdout.write(r.stdout);
      return;
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  process.stderr.write(`demo: nothing answered on 127.0.0.1:${port}\n`);
  process.exitCode = 1;
}

const hub = await startRegistry();
const mirror = await startRegistry();
try {
  const base = `${hub.host}/debian:stable-slim`;
  const v1 = `${hub.host}/servidorweb:v1`;
  const v2 = `${hub.host}/servidorweb:v2`;
  process.stdout.write(`Local registries: ${hub.host} (the "hub") and ${mirror.host} (a second one).\n`);

  say("The builder's machine: a Debian minbase base, imported and pushed (debootstrap, cached).");
  // Without the packages debootstrap downloaded: Debian's own slim images keep none.
  const keep = ["--numeric-owner", "--exclude=./var/cache/apt/archives/*.deb"];
  const rootfs = spawnSync("tar", ["-C", minbase(), ...keep, "-cf", "-", "."], {
    maxBuffer: 1 << 30,
  }).stdout;
  expect(strataAt("builder", ["import", "-", base], rootfs), 0, "import base");
  expect(builder("push", base), 0, "push base");

  say("Build v1 and v2 from examples/servidorweb: v2 reuses the base and the Apache layer from the cache.");
  const dockerfile = join(EXAMPLE, "Dockerfile");
  for (const [tag, ctx] of [
    [v1, "v1"],
    [v2, "v2"],
  ]) {
    const args = ["build", "--progress=plain", "--build-arg", `BASE=${base}`, "-t", tag, "-f", dockerfile];
    expect(builder(...args, join(EXAMPLE, ctx)), 0, `build ${tag}`);
  }
  expect(builder("history", v2), 0, "history");
  expect(builder("push", v1), 0, "push v1");
  expect(builder("push", v2), 0, "push v2 (shares two layers with v1)");

  say("The user's machine, empty: pull v1, then v2 (its first two layers already exist).");
  expect(user("pull", v1), 0, "pull v1");
  expect(user("pull", v2), 0, "pull v2");
  expect(user("images"), 0, "images");
  expect(user("system", "df", "-v"), 0, "system df -v");
  expect(user("image", "tree"), 0, "image tree");
  expect(user("inspect", "--format", "{{json .RootFS.Layers}}", v1), 0, "inspect");

  say("The web server, on a published port.");
  const port = await freePort();
  expect(user("run", "-d", "--name", "web1", "-p", `${port}:80`, v1), 0, "run -d -p");
  expect(user("port", "web1"), 0, "port");
  await fetchPage(port);
  expect(user("ps", "-a", "-s"), 0, "ps -a -s");

  say("A container is a thin writable layer on the image's shared layers.");
  const write = "echo hola > /var/www/html/hola.txt; cat /var/www/html/hola.txt";
  expect(user("exec", "web1", "sh", "-c", write), 0, "exec");
  expect(user("ps", "-a", "-s"), 0, "ps -a -s");
  const blob = "head -c 1048576 /dev/zero > /root/blob.bin; echo wrote";
  expect(user("run", "--name", "writer1", "--network", "none", v2, "sh", "-c", blob), 0, "run");
  expect(user("ps", "-a", "-s"), 0, "ps -a -s");
  expect(user("diff", "web1"), 0, "diff");
  expect(user("image", "tree", v1, v2), 0, "image tree");

  say("An image in use cannot be removed.");
  expect(user("rmi", v1), 1, "rmi v1 while web1 uses it");
  expect(user("rmi", quiet("user", "image", "inspect", "--format", "{{.Id}}", v1)), 1, "rmi of v1's ID");
  expect(user("rmi", quiet("user", "image", "inspect", "--format", "{{.Id}}", v2)), 1, "rmi of v2's ID");

  say("Push to a second registry: the layers travel as they are, so the digest stays the same.");
  const copy = `${mirror.host}/servidorweb:v1`;
  expect(user("tag", v1, copy), 0, "tag");
  expect(user("images", "--digests"), 0, "images --digests");
  expect(user("push", copy), 0, "push to the second registry");
  expect(strataAt("other", ["pull", copy]), 0, "pull back into a third store");
  expect(user("images", "--digests"), 0, "images --digests");
  expect(strataAt("other", ["images", "--digests"]), 0, "images --digests");

  say("Clean-up: containers, then images; the store checks out.");
  expect(user("rm", "-f", "web1", "writer1"), 0, "rm -f");
  expect(user("rmi", v1, v2, copy), 0, "rmi");
  expect(user("images"), 0, "images");
  expect(user("system", "check"), 0, "system check");
} finally {
  for (const store of Object.keys(stores) as StoreName[]) {
    spawnSync(CLI, ["--root", stores[store], "rm", "-f", "web1", "writer1"], {
      stdio: "ignore",
    });
  }
  await hub.stop();
  await mirror.stop();
  rmSync(work, { recursive: true, force: true });
}
