/**
 * Restart policies without a daemon. Docker's daemon restarts a container
 * when its run ends (moby's restartmanager); strata has no daemon, so the
 * restart happens in conmon's exit command (`strata container cleanup`),
 * which runs once at the end of every run of a container with a policy. The
 * rules are moby's: `always` and `unless-stopped` restart whatever the exit
 * code, `on-failure[:N]` on a non-zero one until N restarts, nothing restarts
 * a container the user stopped or killed, and a start by hand resets the
 * count. Between restarts it waits 100 ms, doubled after each run shorter
 * than 10 s, at most a minute. After a reboot no exit command runs: such
 * containers stay exited until started again (Docker's daemon would start
 * `always` ones when it starts).
 */
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { StrataError } from "../errors.ts";
import type { ContainerRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";

export type RestartPolicyName = "no" | "always" | "on-failure" | "unless-stopped";

export interface RestartPolicy {
  Name: RestartPolicyName;
  MaximumRetryCount: number;
}

export const NO_RESTART: RestartPolicy = { Name: "no", MaximumRetryCount: 0 };

const invalid = (message: string) =>
  new StrataError("INVALID_ARGUMENT", `invalid restart policy: ${message}`, { details: { daemon: true } });

/** moby's ValidateRestartPolicy; an empty name is "no", as older clients send it. */
export function validateRestartPolicy(p: { Name?: string; MaximumRetryCount?: number }): RestartPolicy {
  const name = p.Name || "no";
  const count = p.MaximumRetryCount ?? 0;
  switch (name) {
    case "no":
    case "always":
    case "unless-stopped":
      if (count !== 0) {
        const tail = count < 0 ? " and cannot be negative" : "";
        throw invalid(`maximum retry count can only be used with 'on-failure'${tail}`);
      }
      return { Name: name, MaximumRetryCount: 0 };
    case "on-failure":
      if (count < 0) throw invalid("maximum retry count cannot be negative");
      return { Name: name, MaximumRetryCount: count };
    default:
      throw invalid(`unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
}

/** Whether a run that ended with `exitCode` is restarted, after `restarts` restarts so far. */
export function shouldRestart(policy: RestartPolicy, exitCode: number, restarts: number): boolean {
  switch (policy.Name) {
    case "always":
    case "unless-stopped":
      return true;
    case "on-failure":
      return exitCode !== 0 && (policy.MaximumRetryCount === 0 || restarts < policy.MaximumRetryCount);
    default:
      return false;
  }
}

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;

/** moby's back-off: 100 ms, doubled per run shorter than 10 s, reset by a longer one, at most a minute. */
export function nextDelay(previousMs: number, ranMs: number): number {
  if (ranMs >= 10_000 || previousMs === 0) return FIRST_DELAY_MS;
  return Math.min(previousMs * 2, MAX_DELAY_MS);
}

/** The runtime's state of the ended run is deleted in the background when it is settled; a new create must not race it. */
async function runtimeStateGone(id: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (!existsSync(`/run/crun/${id}`) && !existsSync(`/run/runc/${id}`)) return;
    await sleep(50);
  }
}

/**
 * Restarts ended container `c` when its policy says so: waits the back-off,
 * then calls `start`, whose `beforeStart` check (under the container's lock)
 * makes sure it is still the same ended run and nobody stopped it meanwhile.
 * Resolves to whether it restarted.
 */
export async function restartIfDue(
  store: Store,
  c: ContainerRecord,
  start: (beforeStart: (now: ContainerRecord) => boolean) => Promise<unknown>,
): Promise<boolean> {
  const policy = c.config.RestartPolicy ?? NO_RESTART;
  if (policy.Name === "no" || c.state !== "exited") return false;
  const memory = store.meta.restarts.get(c.id);
  if (memory.manuallyStopped || !shouldRestart(policy, c.exitCode, memory.restartCount)) return false;
  const ran = Date.parse(c.finishedAt ?? "") - Date.parse(c.startedAt ?? "");
  const delay = nextDelay(memory.backoffMs, Number.isFinite(ran) ? ran : 0);
  store.meta.restarts.set(c.id, { backoffMs: delay });
  await sleep(delay);
  await runtimeStateGone(c.id);
  let due = false;
  await start((now) => {
    const again = store.meta.restarts.get(now.id);
    due = now.state === "exited" && now.finishedAt === c.finishedAt && !again.manuallyStopped;
    if (due) store.meta.restarts.set(now.id, { restartCount: again.restartCount + 1 });
    return due;
  });
  return due;
}
