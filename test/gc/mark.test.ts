import assert from "node:assert/strict";
import { test } from "node:test";
import { mark, type Node } from "../../src/gc/index.ts";

test("mark reaches everything referenced from the roots, once, and nothing else", () => {
  const graph: Record<string, Node[]> = {
    "image:1": [
      { type: "layer", key: "a" },
      { type: "blob", key: "m1" },
    ],
    "image:2": [
      { type: "layer", key: "a" },
      { type: "layer", key: "b" },
    ],
    "container:c": [{ type: "image", key: "2" }],
  };
  const refs = (n: Node) => graph[`${n.type}:${n.key}`] ?? [];
  const live = mark([{ type: "image", key: "1" }], refs);
  assert.deepEqual([...live].sort(), ["blob:m1", "image:1", "layer:a"]);
  const withContainer = mark(
    [
      { type: "image", key: "1" },
      { type: "container", key: "c" },
    ],
    refs,
  );
  assert.equal(withContainer.has("layer:b"), true);
  assert.equal(withContainer.has("image:2"), true);
});
