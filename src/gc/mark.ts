/**
 * A pure mark phase over typed nodes (containerd's pkg/gc, simplified): given
 * roots and a function listing a node's references, returns every reachable node.
 */
export type NodeType = "image" | "blob" | "layer" | "container";

export interface Node {
  type: NodeType;
  key: string;
}

export const nodeId = (n: Node): string => `${n.type}:${n.key}`;

export function mark(roots: Iterable<Node>, refs: (n: Node) => Iterable<Node>): Set<string> {
  const seen = new Set<string>();
  const stack: Node[] = [...roots];
  while (stack.length > 0) {
    const n = stack.pop()!;
    const id = nodeId(n);
    if (seen.has(id)) continue;
    seen.add(id);
    for (const r of refs(n)) if (!seen.has(nodeId(r))) stack.push(r);
  }
  return seen;
}
