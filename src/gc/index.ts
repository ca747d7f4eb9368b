export { mark, type Node, type NodeType, nodeId } from "./mark.ts";
export { clearStagingIfIdle, reachable, type SweepResult, sweep, sweepCandidates } from "./sweep.ts";
