/** Shared pieces of the runtime tests: busybox bundles under conmon, and stream collectors. */

import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after } from "node:test";
import {
  buildSpec,
  type CopyLogsOptions,
  copyLogs,
  createContainer,
  deleteContainer,
  killContainer,
  type NetworkMode,
  type RuntimeName,
  readRecord,
  resolveUser,
  writeEtcFiles,
} from "../../src/runtime/index.ts";
import { buildBusyboxBase } from "../support/fixtures-busybox.ts";
import { tempDir } from "../support/tmp.ts";

/** A writable that keeps everything written to it. */
export class Sink extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk);
    cb();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString();
  }
}

export async function collect(
  dir: string,
  opts: Omit<CopyLogsOptions, "stdout" | "stderr">,
): Promise<{ stdout: string; stderr: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  await copyLogs(dir, { ...opts, stdout, stderr });
  return { stdout: stdout.text(), stderr: stderr.text() };
}

// Created at import, so that it belongs to the test file rather than to the first test that needs it.
const base = tempDir("strata-rt-");
let shared: string | undefined;

/** One busybox root file system per test file (containers only read it here). */
export function busyboxRootfs(): string {
  if (!shared) shared = buildBusyboxBase(join(base, "rootfs"));
  return shared;
}

export interface TestContainer {
  id: string;
  dir: string;
  hostname: string;
}

const created: TestContainer[] = [];

const CGROUP_PARENT = "strata-test";

// Whatever a test leaves behind is killed and removed from the runtime, and
// the tests' parent cgroup goes once empty (busy while another file runs).
after(async () => {
  for (const c of created) {
    let runtime: RuntimeName | undefined;
    try {
      runtime = readRecord(c.dir).runtime;
    } catch {}
    await killContainer(c.id, "SIGKILL", { runtime }).catch(() => {});
    await deleteContainer(c.id, { force: true, runtime }).catch(() => {});
  }
  for (const controller of readdirSync("/sys/fs/cgroup")) {
    try {
      rmdirSync(join("/sys/fs/cgroup", controller, CGROUP_PARENT));
    } catch {}
  }
});

export interface TestContainerOptions {
  args: string[];
  tty?: boolean;
  stdin?: boolean;
  stdinOnce?: boolean;
  network?: NetworkMode;
  user?: string;
  env?: string[];
}

/** Writes a bundle (Docker's spec, /etc files) in a fresh directory; the container is not created yet. */
export function prepareBundle(opts: TestContainerOptions): TestContainer {
  const rootfs = busyboxRootfs();
  const id = `strata-test-${randomBytes(8).toString("hex")}`;
  const hostname = randomBytes(6).toString("hex");
  const dir = mkdtempSync(join(base, "c-"));
  writeEtcFiles(join(dir, "userdata"), { hostname, network: opts.network ?? "none" });
  const spec = buildSpec({
    rootfs,
    args: opts.args,
    env: opts.env ?? [],
    cwd: "/",
    user: resolveUser(rootfs, opts.user ?? ""),
    hostname,
    tty: opts.tty ?? false,
    network: opts.network ?? "none",
    etcDir: join(dir, "userdata"),
    readonlyRootfs: true,
    cgroupsPath: `/${CGROUP_PARENT}/${id}`,
  });
  writeFileSync(join(dir, "config.json"), JSON.stringify(spec));
  const c = { id, dir, hostname };
  created.push(c);
  return c;
}

/** prepareBundle, then the container created under conmon (not started). */
export async function makeContainer(opts: TestContainerOptions): Promise<TestContainer> {
  const c = prepareBundle(opts);
  const { id, dir } = c;
  await createContainer({
    id,
    bundleDir: dir,
    containerDir: dir,
    tty: opts.tty ?? false,
    stdin: opts.stdin ?? false,
    stdinOnce: opts.stdinOnce,
  });
  return c;
}

/** Resolves once `text` has been written to `sink` (or rejects after `ms`). */
export async function waitForText(sink: Sink, text: string | RegExp, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = sink.text();
    if (typeof text === "string" ? got.includes(text) : text.test(got)) return got;
    if (Date.now() > deadline) throw new Error(`never saw ${String(text)}; got ${JSON.stringify(got)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
