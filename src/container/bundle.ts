/**
 * A container's OCI bundle: the spec with Docker's defaults for its config,
 * over its mounted root file system, and the /etc files it bind-mounts from
 * its own directory (so they never count in its size).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors.ts";
import type { ContainerRecord } from "../metadata/index.ts";
import type { Attachment } from "../network/index.ts";
import { buildSpec, resolveUser, writeEtcFiles } from "../runtime/index.ts";
import { containerLayer } from "../snapshot/index.ts";
import { setupMounts, withUserMounts } from "../volume/index.ts";
import { applyHostOptions, hostOptionsOf, specInputOf } from "./host-config.ts";
import { processArgs } from "./list.ts";
import { bundleDir } from "./userdata.ts";

export { bundleDir } from "./userdata.ts";

/**
 * Writes the bundle and returns its directory; the container's layers must be
 * mounted. With a bridge network's attachment, the container joins its
 * namespace and gets its hosts and resolv.conf.
 */
export function writeBundle(root: string, c: ContainerRecord, net: Attachment | null = null): string {
  const config = c.config;
  const layer = containerLayer(root, c.id);
  const args = processArgs(config);
  if (args.length === 0) {
    throw new StrataError("INVALID_ARGUMENT", "No command specified", { details: { exitCode: 125 } });
  }
  // One directory holds the bundle and the /etc files it bind-mounts.
  const dir = bundleDir(root, c.id);
  const network = config.NetworkMode === "host" ? "host" : "none";
  writeEtcFiles(dir, {
    hostname: config.Hostname,
    network,
    extraHosts: net?.hosts,
    resolvConf: net?.resolvConf,
  });
  const host = hostOptionsOf(config);
  const user = resolveUser(layer.merged, config.User, host.GroupAdd ?? []);
  mkdirSync(dir, { recursive: true });
  const base = buildSpec({
    rootfs: layer.merged,
    args,
    env: config.Env,
    cwd: config.WorkingDir || "/",
    user,
    hostname: config.Hostname,
    tty: config.Tty,
    network,
    netnsPath: net?.netns,
    etcDir: dir,
    ...specInputOf(host),
  });
  const spec = applyHostOptions(base, host);
  spec.mounts = withUserMounts(spec.mounts, setupMounts(root, config.Mounts, layer.merged));
  writeFileSync(join(dir, "config.json"), JSON.stringify(spec));
  return dir;
}
