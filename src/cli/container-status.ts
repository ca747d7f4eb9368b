/** Docker's STATUS column (daemon/container/state.go State.String), computed at display time. */
import type { ContainerSummary } from "../container/index.ts";
import { humanDuration } from "../format/index.ts";

export function isActive(c: Pick<ContainerSummary, "state">): boolean {
  return c.state === "running" || c.state === "paused" || c.state === "restarting";
}

export function statusText(c: ContainerSummary, now: number): string {
  if (c.state === "running" || c.state === "paused") {
    const up = `Up ${humanDuration(now - Date.parse(c.startedAt ?? c.created))}`;
    return c.state === "paused" ? `${up} (Paused)` : up;
  }
  if (c.state === "restarting") {
    return `Restarting (${c.exitCode}) ${humanDuration(now - Date.parse(c.finishedAt ?? c.created))} ago`;
  }
  if (c.state === "removing") return "Removal In Progress";
  if (c.state === "dead") return "Dead";
  if (!c.startedAt) return "Created";
  if (!c.finishedAt) return "";
  return `Exited (${c.exitCode}) ${humanDuration(now - Date.parse(c.finishedAt))} ago`;
}
