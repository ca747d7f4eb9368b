/**
 * The library's records in the JSON shapes Docker's API gives them
 * (api/types: ImageSummary, container Summary, history items, delete
 * responses). Times become Unix seconds where Docker's do.
 */

import { statusText } from "../cli/container-status.ts";
import type { Change, ContainerSummary } from "../container/index.ts";
import type { DeleteRecord, HistoryItem, ImageSummary } from "../image/index.ts";

const unix = (iso: string | null) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);

export function lessThan(v: string, min: string): boolean {
  const [a = 0, b = 0] = v.split(".").map(Number);
  const [c = 0, d = 0] = min.split(".").map(Number);
  return a < c || (a === c && b < d);
}

export function imageSummary(i: ImageSummary, version: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Containers: i.containers,
    Created: unix(i.created),
    Id: i.id,
    Labels: null,
    ParentId: "",
    RepoDigests: i.repoDigests,
    RepoTags: i.repoTags,
    SharedSize: i.sharedSize,
    Size: i.size,
  };
  // VirtualSize left the API in 1.44; older clients still read it.
  if (lessThan(version, "1.44")) out.VirtualSize = i.size;
  return out;
}

export function containerSummary(
  c: ContainerSummary,
  now: number,
  extra: { networkMode?: string; networks?: Record<string, unknown>; mounts?: unknown[] } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Id: c.id,
    Names: c.names.map((n) => `/${n}`),
    Image: c.image,
    ImageID: c.imageId,
    Command: c.command,
    Created: unix(c.created),
    Ports: c.ports,
    Labels: c.labels,
    State: c.state,
    Status: statusText(c, now),
    HostConfig: { NetworkMode: extra.networkMode ?? "none" },
    NetworkSettings: { Networks: extra.networks ?? {} },
    Mounts: extra.mounts ?? [],
  };
  if (c.sizeRw >= 0) {
    out.SizeRw = c.sizeRw;
    out.SizeRootFs = c.sizeRootFs;
  }
  return out;
}

export function historyItem(h: HistoryItem): Record<string, unknown> {
  return {
    Id: h.id,
    Created: unix(h.created),
    CreatedBy: h.createdBy,
    Tags: h.tags.length > 0 ? h.tags : null,
    Size: h.size,
    Comment: h.comment,
  };
}

export function deleteRecord(r: DeleteRecord): Record<string, string> {
  return "untagged" in r ? { Untagged: r.untagged } : { Deleted: r.deleted };
}

const KINDS = { C: 0, A: 1, D: 2 } as const;

export function change(c: Change): { Path: string; Kind: number } {
  return { Path: c.path, Kind: KINDS[c.kind] };
}
