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
  expect(strata("rmi", v1), 0, "rmi v1");
  expect(strata("images"), 0, "images");
  expect(strata("system", "check"), 0, "system check");
} finally {
  await registry.stop();
  rmSync(root, { recursive: true, force: true });
}
