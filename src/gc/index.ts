export {
  acquireLease,
  imageResources,
  type Lease,
  type LeasedResource,
  leasedResources,
  withLease,
} from "./lease.ts";
export { withGcLock, withIngestLock } from "./lock.ts";
export { mark, type Node, type NodeType, nodeId } from "./mark.ts";
export {
  clearStagingIfIdle,
  collectCandidates,
  type Doomed,
  reachable,
  removeDoomed,
  type SweepResult,
  sweep,
} from "./sweep.ts";
