export { type Node, type NodeType, mark, nodeId } from "./mark.ts";
export { reachable, type SweepResult, sweep } from "./sweep.ts";
