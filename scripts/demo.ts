/**
 * The main job: replays the seed story end to end with the built CLI against
 * a real registry (Debian's docker-registry on 127.0.0.1) holding images this
 * script builds itself. Every command is printed with its output, as a user
 * would see it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RegistryClient } from "../src/registry/index.ts";
import { pushServidorweb } from "../test/support/fixtures.ts";
import { startRegistry } from "../test/support/registry.ts";

const CLI = join(process.cwd(), "dist", "strata.js");
const root = mkdtempSync(join(tmpdir(), "strata-demo-"));

function strata(...args: string[]): number {
  process.stdout.write(`\n$ strata ${args.join(" ")}\n`);
  const r = spawnSync(process.execPath, [CLI, "--root", root, ...args], { stdio: "inherit" });
  return r.status ?? 1;
}

/** An image's full ID, as `docker image inspect --format '{{.Id}}'` gives it (not printed). */
function imageId(ref: string): string {
  const r = spawnSync(
    process.execPath,
    [CLI, "--root", root, "image", "inspect", "--format", "{{.Id}}", ref],
    {
      encoding: "utf8",
    },
  );
  return r.stdout.trim();
}

function expect(code: number, wanted: number, what: string): void {
  if (code !== wanted) {
    process.stderr.write(`demo: ${what} exited ${code}, expected ${wanted}\n`);
    process.exitCode = 1;
  }
}

const registry = await startRegistry();
try {
  const client = new RegistryClient();
  await pushServidorweb(client, registry.host);
  const v1 = `${registry.host}/servidorweb:v1`;
  const v2 = `${registry.host}/servidorweb:v2`;
  process.stdout.write(
    `A local registry at ${registry.host} holds servidorweb:v1 and :v2 (built by this script).\n`,
  );

  expect(strata("pull", v1), 0, "pull v1");
  expect(strata("images"), 0, "images");
  expect(strata("pull", v2), 0, "pull v2");
  expect(strata("images"), 0, "images");
  expect(strata("system", "df", "-v"), 0, "system df -v");
  expect(strata("system", "df"), 0, "system df");
  expect(strata("inspect", "--format", "{{json .RootFS}}", v1), 0, "inspect");
  expect(strata("history", v1), 0, "history");

  // The container half, as the reference story (../shared/reference/outputs/docker-13…25):
  // a thin writable layer on the image's shared layers, supervised by conmon.
  expect(strata("run", "-d", "--name", "web1", "--network", "none", v1), 0, "run -d");
  expect(strata("ps", "-a", "-s"), 0, "ps -a -s");
  expect(
    strata(
      "exec",
      "web1",
      "sh",
      "-c",
      "echo hola > /var/www/html/hola.txt; cat /var/www/html/index.html /var/www/html/hola.txt",
    ),
    0,
    "exec",
  );
  expect(strata("ps", "-a", "-s"), 0, "ps -a -s");
  expect(
    strata(
      "run",
      "--name",
      "writer1",
      "--network",
      "none",
      v2,
      "sh",
      "-c",
      "head -c 1048576 /dev/zero > /root/blob.bin; echo wrote",
    ),
    0,
    "run",
  );
  expect(strata("ps", "-a", "-s"), 0, "ps -a -s");
  expect(strata("diff", "web1"), 0, "diff");
  expect(strata("system", "df", "-v"), 0, "system df -v");
  expect(strata("rmi", v1), 1, "rmi v1 while web1 uses it");
  expect(strata("rmi", imageId(v1)), 1, "rmi of v1's ID while web1 runs");
  expect(strata("rmi", imageId(v2)), 1, "rmi of v2's ID while the stopped writer1 uses it");
  expect(
    strata(
      "inspect",
      "--size",
      "--format",
      "{{.State.Status}} {{.SizeRw}} {{.GraphDriver.Data.UpperDir}}",
      "web1",
    ),
    0,
    "inspect",
  );
  expect(strata("logs", "web1"), 0, "logs");
  expect(strata("rm", "-f", "web1", "writer1"), 0, "rm -f");
  expect(strata("rmi", v1, v2), 0, "rmi");
  expect(strata("images"), 0, "images");
  expect(strata("system", "check"), 0, "system check");
} finally {
  await registry.stop();
  rmSync(root, { recursive: true, force: true });
}
