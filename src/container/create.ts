/**
 * `create`: a container record plus its writable layer on the image's
 * layers. The image is pulled first when missing, as Docker does. Nothing is
 * left half-created: a failure removes the layer directories and the record.
 */

import { isStrataError, StrataError } from "../errors.ts";
import { rfc3339Nano } from "../format/time.ts";
import { imageResources, type Lease, withLease } from "../gc/index.ts";
import type { ImageService, PullListener } from "../image/index.ts";
import { type ContainerConfig, type ImageRecord, loadContainerConfigSchema } from "../metadata/index.ts";
import type { NetworkingOptions } from "../network/index.ts";
import type { ImageConfig } from "../oci/index.ts";
import { replaceOrAppendEnv } from "../runtime/index.ts";
import { prepareContainerLayer, removeContainerLayer } from "../snapshot/index.ts";
import type { Store } from "../store/index.ts";
import { randomBytes } from "../sys/builtins.ts";
import { recordVolumeEvent } from "../volume/events.ts";
import { createVolumeDirs, insertVolumes, type MountRequest, resolveMounts } from "../volume/index.ts";
import { generateName, nameInUse, validName } from "./names.ts";

export type { ContainerConfig };

import { configExtras, type HostOptions } from "./host-config.ts";
import { type RestartPolicy, validateRestartPolicy } from "./restart-policy.ts";

/** Networking (`--network`, `-p`, `--dns` …) is NetworkingOptions; the default bridge when `network` is omitted. */
export interface CreateOptions extends NetworkingOptions {
  image: string;
  name?: string;
  /** Replaces the image's Cmd (Docker's arguments after the image). */
  cmd?: string[];
  /** Replaces the image's Entrypoint; `[]` clears it (`--entrypoint ""`). */
  entrypoint?: string[];
  env?: string[];
  workdir?: string;
  user?: string;
  hostname?: string;
  tty?: boolean;
  openStdin?: boolean;
  autoRemove?: boolean;
  /** `-v`, `--mount`, `--tmpfs`, parsed (see volume/parse.ts). */
  mounts?: MountRequest[];
  /** "missing" (default) pulls an image that is not stored. */
  pull?: "missing" | "never";
  /** Called before an implicit pull (Docker prints `Unable to find image 'x' locally`). */
  onPullStart?: (reference: string) => void;
  onPullProgress?: PullListener;
  /** The container will run detached (`run -d`): Docker then records no attached streams. */
  detach?: boolean;
  /** Docker's HostConfig fields (limits, capabilities, devices…), checked as the daemon checks them. */
  hostConfig?: Partial<HostOptions>;
  /** Added to (and over) the image's labels. */
  labels?: Record<string, string>;
  /** The signal `stop` sends (the image's StopSignal, else SIGTERM). */
  stopSignal?: string;
  /** Seconds `stop` waits before SIGKILL when not given one (10). */
  stopTimeout?: number;
  /** `--restart`: Docker's RestartPolicy (checked as the daemon checks it; not with `autoRemove`). */
  restartPolicy?: { Name?: string; MaximumRetryCount?: number };
}

/** The daemon's checks of a restart policy (before anything is created). */
function restartPolicyOf(opts: CreateOptions): RestartPolicy {
  const policy = validateRestartPolicy(opts.restartPolicy ?? {});
  if (opts.autoRemove && policy.Name !== "no") {
    throw new StrataError("INVALID_ARGUMENT", "can't create 'AutoRemove' container with restart policy", {
      details: { daemon: true },
    });
  }
  return policy;
}

/** The stored image, pulled when missing; undefined when something removed it right after its pull. */
async function ensureImage(images: ImageService, opts: CreateOptions): Promise<ImageRecord | undefined> {
  try {
    return images.get(opts.image).image;
  } catch (err) {
    if (!isStrataError(err, "NOT_FOUND") || opts.pull === "never") throw err;
  }
  opts.onPullStart?.(opts.image);
  await images.pull(opts.image, { onProgress: opts.onPullProgress });
  try {
    return images.get(opts.image).image;
  } catch (err) {
    // An rmi or `image prune -a` came between the pull and this look-up: the caller tries again.
    if (isStrataError(err, "NOT_FOUND")) return undefined;
    throw err;
  }
}

/**
 * The image, pinned by `lease` so that its config and layers stay while the
 * container is set up on them; undefined when an rmi or prune removed it
 * before the pin (it came first: the caller looks it up again, pulling it).
 */
async function pinnedImage(
  store: Store,
  images: ImageService,
  opts: CreateOptions,
  lease: Lease,
): Promise<ImageRecord | undefined> {
  const image = await ensureImage(images, opts);
  if (!image) return undefined;
  return store.meta.transaction(() => {
    if (!store.meta.images.get(image.id)) return undefined;
    lease.pin(imageResources(image));
    return image;
  });
}

export async function createContainer(
  store: Store,
  images: ImageService,
  opts: CreateOptions,
): Promise<string> {
  const name = opts.name === undefined ? undefined : validName(opts.name);
  return withLease(store, "create", async (lease) => {
    // Each step can lose the image to an rmi or prune that came first: then the next attempt
    // resolves it again (pulling it). Three losses in a row end as Docker's would: No such image.
    for (let attempt = 1; ; attempt++) {
      const image = await pinnedImage(store, images, opts, lease);
      const id = image && (await createOn(store, image, opts, name));
      if (id) return id;
      if (attempt === 3) throw new StrataError("NOT_FOUND", `No such image: ${opts.image}`);
    }
  });
}

/** Creates the container on a pinned image; undefined when the image's record went meanwhile. */
async function createOn(
  store: Store,
  image: ImageRecord,
  opts: CreateOptions,
  name: string | undefined,
): Promise<string | undefined> {
  // Checked against the OCI schema when it entered the store (pull, load, import, commit).
  const doc = JSON.parse(store.content.read(image.id).toString("utf8")) as ImageConfig;
  const imageConfig = doc.config ?? {};
  const extras = configExtras(opts, imageConfig);
  const id = randomBytes(32).toString("hex");
  const volumes = resolveMounts(opts.mounts ?? [], imageConfig.Volumes ?? undefined);
  const { planNetworking } = await import("../network/index.ts");
  const exposed = Object.keys(imageConfig.ExposedPorts ?? {});
  const network = await planNetworking(store, opts, exposed);
  // The record's schema checks the config in the transaction below; its zod loads cheaper this way.
  await loadContainerConfigSchema();
  const config: ContainerConfig = {
    Hostname: opts.hostname ?? id.slice(0, 12),
    User: opts.user ?? imageConfig.User ?? "",
    Tty: opts.tty ?? false,
    OpenStdin: opts.openStdin ?? false,
    // Docker's CLI attaches nothing, and keeps stdin open across attaches, for a detached run.
    StdinOnce: (opts.openStdin ?? false) && !opts.detach,
    AttachStdin: (opts.openStdin ?? false) && !opts.detach,
    AttachStdout: !opts.detach,
    AttachStderr: !opts.detach,
    Env: replaceOrAppendEnv(imageConfig.Env ?? [], opts.env ?? []),
    Cmd: opts.cmd && opts.cmd.length > 0 ? opts.cmd : opts.entrypoint ? null : (imageConfig.Cmd ?? null),
    Entrypoint: opts.entrypoint
      ? opts.entrypoint.length > 0
        ? opts.entrypoint
        : null
      : (imageConfig.Entrypoint ?? null),
    WorkingDir: opts.workdir ?? imageConfig.WorkingDir ?? "",
    Image: opts.image,
    Labels: { ...imageConfig.Labels, ...opts.labels },
    NetworkMode: network.mode,
    AutoRemove: opts.autoRemove ?? false,
    RestartPolicy: restartPolicyOf(opts),
    ...extras,
    Mounts: volumes.mounts,
  };
  const links = image.chain.map((c) => {
    const layer = store.meta.layers.get(c);
    if (!layer) throw new StrataError("STORE_CORRUPT", `layer ${c} of image ${image.id} is missing`);
    return layer.link;
  });
  prepareContainerLayer(store.root, id, links);
  let recorded = false;
  let made: typeof volumes.create = [];
  try {
    recorded = store.meta.transaction(() => {
      // The same transaction as rmi's check for users: either it saw this container, or this sees the image gone.
      if (!store.meta.images.get(image.id)) return false;
      const finalName = name ?? generateName(id, (n) => store.meta.containers.getByName(n) !== undefined);
      const holder = store.meta.containers.getByName(finalName);
      if (holder) throw nameInUse(finalName, holder.id);
      made = insertVolumes(store, volumes.create);
      store.meta.containers.insert({
        id,
        name: finalName,
        imageId: image.id,
        imageName: opts.image,
        chain: image.chain,
        config,
        createdAt: rfc3339Nano(),
        state: "created",
        pid: 0,
        exitCode: 0,
        startedAt: null,
        finishedAt: null,
      });
      network.record(id);
      return true;
    });
  } finally {
    if (!recorded) await removeContainerLayer(store.root, id);
  }
  if (!recorded) return undefined;
  createVolumeDirs(store, volumes.create);
  for (const v of made) recordVolumeEvent(store, v.name, "create");
  return id;
}
