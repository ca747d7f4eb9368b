/**
 * Container summaries for `ps` and `system df`: state from the record (kept
 * true by the service's refresh), sizes from the writable layer on request.
 */
import type { Digest } from "../digest/index.ts";
import type { ContainerRecord, ContainerState } from "../metadata/index.ts";
import { containerLayer, directorySize } from "../snapshot/index.ts";
import type { Store } from "../store/index.ts";
import type { ContainerConfig } from "./create.ts";

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

export function summarizeContainer(
  store: Store,
  c: ContainerRecord,
  opts: { size?: boolean; imageSizes?: Map<string, number> },
): ContainerSummary {
  const config = c.config as unknown as ContainerConfig;
  let sizeRw = -1;
  let sizeRootFs = -1;
  if (opts.size) {
    sizeRw = directorySize(containerLayer(store.root, c.id).upper);
    const imageSize =
      opts.imageSizes?.get(c.imageId) ??
      c.chain.reduce((sum, chainId) => sum + (store.meta.getLayer(chainId)?.size ?? 0), 0);
    sizeRootFs = sizeRw + imageSize;
  }
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
  };
}
