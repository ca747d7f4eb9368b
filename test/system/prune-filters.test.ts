/** `--filter` of the prune commands, read as moby reads them (label, label!, until). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parsePruneFilters } from "../../src/system/prune-filters.ts";

const labels = (l: Record<string, string>) => () => l;

test("label= needs every key (and value) given; label!= excludes what matches; until keeps newer things", () => {
  const now = Date.parse("2026-01-02T00:00:00Z");
  const { where } = parsePruneFilters(["label=tier", "label=env=dev", "label!=keep", "until=1h"], now);
  const old = now - 2 * 3600_000;
  assert.equal(where(labels({ tier: "web", env: "dev" }), old), true);
  assert.equal(where(labels({ tier: "web", env: "prod" }), old), false, "value differs");
  assert.equal(where(labels({ env: "dev" }), old), false, "key missing");
  assert.equal(where(labels({ tier: "x", env: "dev", keep: "" }), old), false, "label! matches");
  assert.equal(where(labels({ tier: "x", env: "dev" }), now - 60_000), false, "created after until");
  const absolute = parsePruneFilters(["until=2026-01-01T00:00:00Z"], now);
  assert.equal(absolute.where(labels({}), Date.parse("2025-12-31T00:00:00Z")), true);
  assert.equal(absolute.hasUntil, true);
});

test("refusals as the daemon words them", () => {
  assert.throws(() => parsePruneFilters(["color=red"]), { message: "invalid filter 'color'" });
  assert.throws(() => parsePruneFilters(["until=soon"]), {
    message: 'failed to parse value as time or duration: "soon"',
  });
  assert.throws(() => parsePruneFilters(["until=1h", "until=2h"]), {
    message: "more than one until filter specified",
  });
});
