/**
 * `update`: new cgroup limits for a container, checked with Docker's rules
 * (daemon/update.go and container.UpdateContainer), written to its record
 * and, when it runs, applied at once through the runtime. A stopped
 * container gets them at its next start.
 */
import { StrataError } from "../errors.ts";
import type { ContainerRecord } from "../metadata/index.ts";
import {
  cgroupResources,
  checkLimits,
  type ResourceLimits,
  readRecord,
  updateResources,
} from "../runtime/index.ts";
import type { Store } from "../store/index.ts";
import { hostOptionsOf } from "./host-config.ts";
import { runtimeDir, withContainer } from "./lifecycle.ts";
import { isActive } from "./list.ts";
import { validateRestartPolicy } from "./restart-policy.ts";

/** New limits, and (`update --restart`) a new restart policy. */
export type LimitChanges = Partial<ResourceLimits> & {
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
};

const conflict = (message: string) =>
  new StrataError("INVALID_ARGUMENT", message, { details: { daemon: true } });

/** The container's limits after `changes`, as Docker merges them (only what is given changes). */
export function mergeLimits(current: ResourceLimits, changes: LimitChanges): ResourceLimits {
  const next = { ...current };
  if (changes.Memory !== undefined && changes.Memory !== 0) {
    if (current.MemorySwap > 0 && changes.Memory > current.MemorySwap && !changes.MemorySwap) {
      throw conflict(
        "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time",
      );
    }
    next.Memory = changes.Memory;
  }
  if (changes.MemorySwap !== undefined && changes.MemorySwap !== 0) next.MemorySwap = changes.MemorySwap;
  if (changes.NanoCpus !== undefined && changes.NanoCpus !== 0) next.NanoCpus = changes.NanoCpus;
  if (changes.CpuShares !== undefined && changes.CpuShares !== 0) next.CpuShares = changes.CpuShares;
  if (changes.CpusetCpus !== undefined && changes.CpusetCpus !== "") next.CpusetCpus = changes.CpusetCpus;
  if (changes.PidsLimit !== undefined && changes.PidsLimit !== null && changes.PidsLimit !== 0) {
    next.PidsLimit = changes.PidsLimit;
  }
  const checked = checkLimits(next);
  // Unlike create, update never invents a swap limit the user did not ask for.
  if (next.MemorySwap === 0) checked.MemorySwap = 0;
  // -1 (unlimited) is a pids limit worth writing on update; create stores it as none.
  if (next.PidsLimit !== null && next.PidsLimit < 0) checked.PidsLimit = -1;
  return checked;
}

export async function updateContainer(
  store: Store,
  c: ContainerRecord,
  changes: LimitChanges,
): Promise<void> {
  const { RestartPolicy: wanted, ...limitChanges } = changes;
  const policy = wanted ? validateRestartPolicy(wanted) : undefined;
  await withContainer(store, c.id, async (now) => {
    const config = now.config;
    if (policy && policy.Name !== "no" && config.AutoRemove) {
      throw conflict(
        `Cannot update container ${now.id}: Restart policy cannot be updated because AutoRemove is enabled for the container`,
      );
    }
    const host = hostOptionsOf(config);
    const limits = mergeLimits(host, limitChanges);
    if (isActive(now)) {
      const dir = runtimeDir(store.root, now.id);
      const resources = cgroupResources(limits);
      if (limits.PidsLimit === -1) resources.pids = { limit: -1 };
      await updateResources(now.id, resources, dir, { runtime: readRecord(dir).runtime });
    }
    store.meta.containers.updateConfig(now.id, {
      ...config,
      ...(policy ? { RestartPolicy: policy } : {}),
      HostConfig: { ...host, ...limits, PidsLimit: limits.PidsLimit === -1 ? null : limits.PidsLimit },
    });
  });
}
