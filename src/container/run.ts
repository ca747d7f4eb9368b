/**
 * Starting a container in the foreground: mount its layers, write its bundle
 * (OCI spec with Docker's defaults), run it with crun, and record what
 * happened — state, exit code, times — whatever the outcome.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors.ts";
import type { ContainerRecord } from "../metadata/index.ts";
import { buildSpec, ensureCgroups, resolveUser, runBundle, writeEtcFiles } from "../runtime/index.ts";
import { containerLayer, containerMount, mount, unmount } from "../snapshot/index.ts";
import type { Store } from "../store/index.ts";
import type { ContainerConfig } from "./create.ts";
import { processArgs } from "./list.ts";

const DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function nowNano(): string {
  return new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
}

function environment(config: ContainerConfig): string[] {
  const env = [...config.Env];
  const has = (k: string) => env.some((e) => e.startsWith(`${k}=`));
  if (!has("PATH")) env.unshift(DEFAULT_PATH);
  if (!has("HOSTNAME")) env.push(`HOSTNAME=${config.Hostname}`);
  if (config.Tty && !has("TERM")) env.push("TERM=xterm");
  return env;
}

/** Writes the bundle and returns its directory; the layers must be mounted. */
function writeBundle(store: Store, c: ContainerRecord): string {
  const config = c.config as unknown as ContainerConfig;
  const layer = containerLayer(store.root, c.id);
  const args = processArgs(config);
  if (args.length === 0) throw new StrataError("INVALID_ARGUMENT", "No command specified");
  const etcDir = join(layer.dir, "userdata");
  writeEtcFiles(etcDir, config.Hostname, config.NetworkMode);
  const { uid, gid } = resolveUser(layer.merged, config.User);
  const bundle = join(layer.dir, "bundle");
  mkdirSync(bundle, { recursive: true });
  const spec = buildSpec({
    rootfs: layer.merged,
    args,
    env: environment(config),
    cwd: config.WorkingDir || "/",
    uid,
    gid,
    hostname: config.Hostname,
    tty: config.Tty,
    network: config.NetworkMode,
    etcDir,
  });
  writeFileSync(join(bundle, "config.json"), JSON.stringify(spec));
  return bundle;
}

export async function runForeground(
  store: Store,
  c: ContainerRecord,
  opts: { interactive: boolean },
): Promise<number> {
  if (c.state === "running") {
    throw new StrataError("CONFLICT", `container ${c.id} is already running`);
  }
  ensureCgroups();
  const layer = containerLayer(store.root, c.id);
  const links = c.chain.map((chainId) => {
    const l = store.meta.getLayer(chainId);
    if (!l) throw new StrataError("STORE_CORRUPT", `layer ${chainId} of container ${c.name} is missing`);
    return l.link;
  });
  mount(containerMount(store.root, c.id, links), layer.merged);
  let exitCode = 0;
  try {
    const bundle = writeBundle(store, c);
    store.meta.updateContainer(c.id, {
      state: "running",
      startedAt: nowNano(),
      finishedAt: null,
      exitCode: 0,
    });
    try {
      exitCode = await runBundle(c.id, bundle, {
        interactive: opts.interactive,
        onStart: (pid) => store.meta.updateContainer(c.id, { pid }),
      });
    } catch (err) {
      exitCode = Number((err as StrataError).details?.exitCode ?? 125);
      throw err;
    }
    return exitCode;
  } finally {
    store.meta.updateContainer(c.id, { state: "exited", pid: 0, exitCode, finishedAt: nowNano() });
    unmount(layer.merged);
  }
}
