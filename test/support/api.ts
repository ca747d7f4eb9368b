/**
 * `strata system service` for tests: the built CLI serving a store on a
 * socket of the test's own, and the docker CLIs pointed at it. `docker()`
 * runs with DOCKER_HOST set to that socket only, so a client that silently
 * fell back to /var/run/docker.sock would fail the test's strata checks.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { answers } from "../../src/api/server.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { assertBuilt, CLI, type CliResult } from "./cli.ts";
import { busyboxBaseTar, pushImage } from "./fixtures.ts";
import { runProcess } from "./process.ts";
import { startRegistry, type TestRegistry } from "./registry.ts";

export const DOCKER_28 = "/usr/local/bin/docker";
/** Debian's docker.io client (20.10); its daemon is never started by the tests. */
export const DOCKER_20 = "/usr/bin/docker";

export interface ApiService {
  socket: string;
  host: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * A store root for a test file that uses the service, removed by `cleanup`
 * after its containers: tempDir()'s after() hook would run before the file's
 * own and find their mounts still in place.
 */
export function serviceRoot(): { root: string; cleanup: () => Promise<void> } {
  const root = mkdtempSync(join(process.env.STRATA_TEST_TMP ?? tmpdir(), "strata-test-"));
  return {
    root,
    cleanup: async () => {
      const { strata } = await import("./cli.ts");
      const left = (await strata(root, ["ps", "-aq"])).stdout.split("\n").filter(Boolean);
      if (left.length > 0) await strata(root, ["rm", "-f", ...left]);
      // An ended container's exit command may still be writing its last files: retry as tmp.ts does.
      rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    },
  };
}

export async function startService(
  root: string,
  opts: { time?: number; socket?: string } = {},
): Promise<ApiService> {
  assertBuilt();
  // Not tempDir(): called from a before() hook, its after() would remove the directory at once.
  const dir = mkdtempSync(join(process.env.STRATA_TEST_TMP ?? tmpdir(), "strata-api-"));
  const socket = opts.socket ?? join(dir, "docker.sock");
  const child = spawn(
    process.execPath,
    [CLI, "--root", root, "system", "service", "--time", String(opts.time ?? 0), `unix://${socket}`],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  // A service left running by a failed test never holds the test process open.
  child.unref();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  let stopping = false;
  child.once("exit", (code, signal) => {
    if (!stopping) process.stderr.write(`strata system service exited (${code ?? signal}): ${stderr}\n`);
  });
  for (let i = 0; i < 200; i++) {
    if (existsSync(socket) && (await answers(socket))) break;
    if (child.exitCode !== null) throw new Error(`the service exited: ${stderr}`);
    await sleep(50);
  }
  return {
    socket,
    host: `unix://${socket}`,
    child,
    stop: async () => {
      stopping = true;
      if (child.exitCode !== null) return rmSync(dir, { recursive: true, force: true });
      child.kill("SIGTERM");
      // A ref'd timer: the child is unref'd, so without it a service slow to stop would let the
      // test process end before its after() hooks had removed the file's containers.
      const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await new Promise((r) => child.once("exit", r));
      clearTimeout(kill);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A docker CLI against the service only (its own config dir: no contexts, no credentials of the host's). */
export function docker(
  svc: ApiService,
  args: string[],
  opts: { bin?: string; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DOCKER_HOST: svc.host,
    DOCKER_CONFIG: configDir(),
  };
  return runProcess(opts.bin ?? DOCKER_28, args, {
    input: opts.input,
    env: { ...env, ...opts.env },
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
}

let config: string | undefined;
function configDir(): string {
  if (!config) {
    const dir = mkdtempSync(join(process.env.STRATA_TEST_TMP ?? tmpdir(), "strata-docker-config-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    config = dir;
  }
  return config;
}

/** What each API test file serves: a real registry with a busybox image, and the service on the file's store. */
export interface BusyboxService {
  registry: TestRegistry;
  svc: ApiService;
  /** `127.0.0.1:PORT/bb:1`, pushed to `registry` (not yet pulled into the store). */
  image: string;
  /** Stops the service, then cleans the store (after its containers), then stops the registry. */
  stop(): Promise<void>;
}

export async function startBusyboxService(
  root: string,
  cleanup: () => Promise<void>,
): Promise<BusyboxService> {
  const registry = await startRegistry();
  try {
    const image = `${registry.host}/bb:1`;
    await pushImage(new RegistryClient(), image, {
      layers: [{ tar: busyboxBaseTar() }],
      config: { Cmd: ["sh"] },
    });
    const svc = await startService(root);
    return {
      registry,
      svc,
      image,
      async stop() {
        await svc.stop();
        await cleanup();
        await registry.stop();
      },
    };
  } catch (err) {
    await registry.stop();
    throw err;
  }
}
