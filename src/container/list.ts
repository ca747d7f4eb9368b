/**
 * Container summaries for `ps` and `system df`: state from the record (kept
 * true by the service's refresh), sizes from the writable layer on request.
 */
import { type Digest, shortHex } from "../digest/index.ts";
import { byteOrder } from "../format/order.ts";
import type { PortSummary } from "../format/ports.ts";
import type { ImageService } from "../image/index.ts";
import type { ContainerRecord, ContainerState } from "../metadata/index.ts";
import { containerLayer, directorySize } from "../snapshot/index.ts";
import type { Store } from "../store/index.ts";
import type { ContainerConfig } from "./create.ts";
import { type FilterContext, matchesFilters, parseContainerFilters } from "./filters.ts";
import { findContainer } from "./lookup.ts";

export interface ContainerSummary {
  id: string;
  names: string[];
  /** What the user typed, or the image ID when that name now means another image (Docker's refreshImage). */
  image: string;
  imageId: Digest;
  /** Path and arguments joined, arguments with spaces in single quotes (Docker's view.go). */
  command: string;
  /** RFC 3339 with nanoseconds. */
  created: string;
  labels: Record<string, string>;
  state: ContainerState;
  exitCode: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** Bytes in the writable layer; -1 unless sizes were asked for. */
  sizeRw: number;
  /** sizeRw plus the image's size; -1 unless sizes were asked for. */
  sizeRootFs: number;
  /** Volume names and bind sources it mounts (ps's MOUNTS). */
  mounts: string[];
  /** How many volumes it mounts (system df's LOCAL VOLUMES). */
  localVolumes: number;
  /** A running container's published and exposed ports (Docker's API Ports). */
  ports: PortSummary[];
}

/**
 * Read from the networking tables directly, so `ps` does not load the
 * network module: published ports (while running) and exposed ones.
 */
function portSummaries(store: Store, c: ContainerRecord): PortSummary[] {
  if (!isActive(c)) return [];
  const row = store.meta.networks.getNetworking(c.id);
  if (!row) return [];
  const published = ((row.ports as { published?: unknown[] } | null)?.published ?? []) as {
    containerPort: number;
    protocol: string;
    hostIp: string;
    hostPort: number;
  }[];
  const out: PortSummary[] = published.map((p) => ({
    IP: p.hostIp,
    PrivatePort: p.containerPort,
    PublicPort: p.hostPort,
    Type: p.protocol,
  }));
  for (const key of (row.settings.exposed as string[] | undefined) ?? []) {
    const [port, type = "tcp"] = key.split("/");
    if (!published.some((p) => `${p.containerPort}/${p.protocol}` === key)) {
      out.push({ PrivatePort: Number(port), Type: type });
    }
  }
  return out;
}

/** The process a container runs: entrypoint then cmd. */
export function processArgs(config: ContainerConfig): string[] {
  return [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
}

export function commandLine(config: ContainerConfig): string {
  return processArgs(config)
    .map((a) => (a.includes(" ") ? `'${a}'` : a))
    .join(" ");
}

/**
 * Docker's SizeRw (bytes in the writable layer) and SizeRootFs (that plus the
 * image's layers). `imageSizes` saves a listing one lookup per container.
 */
export function containerSizes(
  store: Store,
  c: ContainerRecord,
  imageSizes?: Map<string, number>,
): { sizeRw: number; sizeRootFs: number } {
  const sizeRw = directorySize(containerLayer(store.root, c.id).upper);
  const imageSize =
    imageSizes?.get(c.imageId) ??
    c.chain.reduce((sum, chainId) => sum + (store.meta.layers.get(chainId)?.size ?? 0), 0);
  return { sizeRw, sizeRootFs: sizeRw + imageSize };
}

export function summarizeContainer(
  store: Store,
  c: ContainerRecord,
  opts: { size?: boolean; imageSizes?: Map<string, number> },
): ContainerSummary {
  const config = c.config;
  const { sizeRw, sizeRootFs } = opts.size
    ? containerSizes(store, c, opts.imageSizes)
    : { sizeRw: -1, sizeRootFs: -1 };
  return {
    id: c.id,
    names: [c.name],
    image: c.imageName,
    imageId: c.imageId,
    command: commandLine(config),
    created: c.createdAt,
    labels: config.Labels ?? {},
    state: c.state,
    exitCode: c.exitCode,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    sizeRw,
    sizeRootFs,
    mounts: config.Mounts.filter((m) => m.Type !== "tmpfs").map((m) => m.Source),
    localVolumes: config.Mounts.filter((m) => m.Type === "volume").length,
    ports: portSummaries(store, c),
  };
}

/** Running, paused or restarting: the states Docker lists without -a and refuses to remove. */
export const isActive = (c: Pick<ContainerRecord, "state">) =>
  c.state === "running" || c.state === "paused" || c.state === "restarting";

export interface ListOptions {
  all?: boolean;
  size?: boolean;
  /** `ps --filter` arguments (`status=exited` …). */
  filters?: string[];
}

/**
 * Docker shows the image ID once the name the user typed means another
 * image (daemon/list.go). `names` caches what each name means for one listing.
 */
function displayImage(images: ImageService, c: ContainerRecord, names: Map<string, string | null>): string {
  let current = names.get(c.imageName);
  if (current === undefined) {
    try {
      current = images.get(c.imageName).image.id;
    } catch {
      current = null; // The name is gone.
    }
    names.set(c.imageName, current);
  }
  return current === c.imageId ? c.imageName : shortHex(c.imageId);
}

function filterContext(store: Store, images: ImageService): FilterContext {
  return {
    ancestorIds: (value) => {
      let base: string;
      try {
        base = images.get(value).image.id;
      } catch {
        return [];
      }
      // Docker matches the image and every image built on it: those whose layers extend its own.
      const chain = store.meta.images.get(base as Digest)?.chain ?? [];
      const extends_ = (other: Digest[]) =>
        other.length > chain.length && chain.every((id, k) => other[k] === id);
      return store.meta.images
        .list()
        .filter((i) => i.id === base || extends_(i.chain))
        .map((i) => i.id);
    },
    createdOf: (value) => findContainer(store, value).createdAt,
  };
}

/** `ps`: the given (already settled) records as Docker lists them, newest first. */
export function listContainers(
  store: Store,
  images: ImageService,
  records: ContainerRecord[],
  opts: ListOptions,
): ContainerSummary[] {
  const filters = parseContainerFilters(opts.filters ?? []);
  const all = opts.all || filters.has("status");
  // Only sizes need the images' sizes (each container's SizeRootFs).
  const imageSizes = opts.size
    ? new Map(store.meta.images.list().map((i) => [i.id as string, i.size]))
    : undefined;
  const names = new Map<string, string | null>();
  const ctx = filterContext(store, images);
  const isActive = (c: ContainerRecord) =>
    c.state === "running" || c.state === "paused" || c.state === "restarting";
  return records
    .filter((c) => all || isActive(c))
    .sort((a, b) => byteOrder(b.createdAt, a.createdAt))
    .filter(
      (c) => filters.size === 0 || matchesFilters(summarizeContainer(store, c, { imageSizes }), filters, ctx),
    )
    .map((c) => {
      const summary = summarizeContainer(store, c, { size: opts.size, imageSizes });
      summary.image = displayImage(images, c, names);
      return summary;
    });
}
