/** `network ls --filter` / `network prune --filter`: keys, matches, Docker's messages. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { NetworkRecord } from "../../src/metadata/index.ts";
import { matchesNetworkFilters, parseNetworkFilters } from "../../src/network/filters.ts";

const net = (
  name: string,
  labels: Record<string, string> = {},
  createdAt = "2026-01-01T00:00:00.000000000Z",
) =>
  ({
    id: `${name}0123456789abcdef`,
    name,
    driver: name === "none" ? "null" : "bridge",
    labels,
    createdAt,
  }) as NetworkRecord;

const pick = (args: string[], nets: NetworkRecord[], active = new Set<string>(), prune = false) => {
  const f = parseNetworkFilters(args, prune);
  return nets.filter((n) => matchesNetworkFilters(n, f, active.has(n.name))).map((n) => n.name);
};

test("name (substring or pattern), label, type, driver, dangling", () => {
  const nets = [net("bridge"), net("none"), net("front", { team: "a" }), net("back", { team: "b", x: "" })];
  assert.deepEqual(pick(["name=ron"], nets), ["front"]);
  assert.deepEqual(pick(["name=^b"], nets), ["bridge", "back"]);
  assert.deepEqual(pick(["label=team"], nets), ["front", "back"]);
  assert.deepEqual(pick(["label=team=b"], nets), ["back"]);
  assert.deepEqual(pick(["type=custom"], nets), ["front", "back"]);
  assert.deepEqual(pick(["type=builtin"], nets), ["bridge", "none"]);
  assert.deepEqual(pick(["driver=null"], nets), ["none"]);
  assert.deepEqual(pick(["dangling=true"], nets, new Set(["front"])), ["back"]);
  assert.deepEqual(pick(["name=front", "name=back"], nets), ["front", "back"]);
  assert.deepEqual(pick(["id=back0123"], nets), ["back"]);
});

test("prune takes label, label! and until only", () => {
  const nets = [net("old", { keep: "1" }), net("new", {}, new Date().toISOString())];
  assert.deepEqual(pick(["until=1h"], nets, new Set(), true), ["old"]);
  assert.deepEqual(pick(["label!=keep"], nets, new Set(), true), ["new"]);
  assert.throws(() => parseNetworkFilters(["name=x"], true), /invalid filter 'name'/);
  assert.throws(
    () => parseNetworkFilters(["until=soon"], true),
    /failed to parse value as time or duration: "soon"/,
  );
});

test("bad filters: Docker's messages", () => {
  assert.throws(
    () => parseNetworkFilters(["bogus=1"]),
    /^StrataError: invalid filter 'bogus'$|invalid filter 'bogus'/,
  );
  assert.throws(() => parseNetworkFilters(["type=odd"]), /invalid filter: 'type'='odd'/);
  assert.throws(() => parseNetworkFilters(["dangling=maybe"]), /invalid filter 'dangling=maybe'/);
  assert.throws(() => parseNetworkFilters(["novalue"]), /bad format of filter/);
});
