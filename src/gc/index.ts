export { mark, type Node, type NodeType, nodeId } from "./mark.ts";
export { reachable, type SweepResult, sweep } from "./sweep.ts";
