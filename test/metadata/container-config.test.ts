import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { test } from "node:test";
import { sha256Digest } from "../../src/digest/index.ts";
import { CONFIG_VERSION, containerConfigSchema } from "../../src/metadata/container-config.ts";
import { MetadataStore } from "../../src/metadata/index.ts";
import { tempDir } from "../support/tmp.ts";

/**
 * The schema's shape for each CONFIG_VERSION. Rows written under the current
 * version are read without zod, so a schema change must come with a new
 * version (a new line here): otherwise rows of the old shape would be trusted
 * to have fields they lack. Never edit a line once it has landed.
 */
const FINGERPRINTS: Record<number, string> = {
  1: "d16adad55592",
};

/** The schema as plain data: kinds, keys, defaults, checks; zod's internals are stable within v3. */
function shapeOf(s: unknown): unknown {
  // biome-ignore lint/suspicious/noExplicitAny: walking zod's own definition objects
  const def = (s as any)._def;
  const kind = def.typeName as string;
  switch (kind) {
    case "ZodObject":
      return {
        kind,
        shape: Object.fromEntries(Object.entries(def.shape()).map(([k, v]) => [k, shapeOf(v)])),
      };
    case "ZodDefault":
      return { kind, default: def.defaultValue(), inner: shapeOf(def.innerType) };
    case "ZodOptional":
    case "ZodNullable":
      return { kind, inner: shapeOf(def.innerType) };
    case "ZodArray":
      return { kind, of: shapeOf(def.type) };
    case "ZodRecord":
      return { kind, key: shapeOf(def.keyType), value: shapeOf(def.valueType) };
    case "ZodEnum":
      return { kind, values: def.values };
    default:
      return { kind, checks: def.checks ?? [] };
  }
}

test("the container-config schema has its own CONFIG_VERSION (bump it with every change)", () => {
  const print = createHash("sha256")
    .update(JSON.stringify(shapeOf(containerConfigSchema())))
    .digest("hex")
    .slice(0, 12);
  assert.equal(
    new Set(Object.values(FINGERPRINTS)).size,
    Object.keys(FINGERPRINTS).length,
    "two versions with one shape",
  );
  assert.equal(
    FINGERPRINTS[CONFIG_VERSION],
    print,
    `the schema changed: set CONFIG_VERSION to ${CONFIG_VERSION + 1} and add ${CONFIG_VERSION + 1}: "${print}" to FINGERPRINTS`,
  );
});

const record = (id: string, config: unknown) => ({
  id,
  name: `c${id}`,
  imageId: sha256Digest("image"),
  imageName: "base:1",
  chain: [],
  config: config as never,
  createdAt: "2026-12-02T00:00:00.000000000Z",
  state: "created" as const,
  pid: 0,
  exitCode: 0,
  startedAt: null,
  finishedAt: null,
});

test("configs are validated on their way in; rows of before are still parsed, defaults filled", () => {
  const meta = MetadataStore.open(join(tempDir(), "db.sqlite"));
  try {
    const minimal = { Hostname: "h", Image: "base:1" };
    meta.containers.insert(record("a", minimal));
    const stored = meta.db.prepare("SELECT config, config_version FROM containers WHERE id = 'a'").get() as {
      config: string;
      config_version: number;
    };
    assert.equal(stored.config_version, CONFIG_VERSION);
    assert.deepEqual(JSON.parse(stored.config), containerConfigSchema().parse(minimal), "stored as parsed");
    assert.deepEqual(meta.containers.get("a")?.config, containerConfigSchema().parse(minimal));

    assert.throws(() => meta.containers.insert(record("b", { Hostname: 1 })), /Expected string/);
    assert.equal(meta.containers.get("b"), undefined, "nothing written");

    // A row of before the version column: the schema fills what it lacks.
    meta.db
      .prepare("UPDATE containers SET config = ?, config_version = 0 WHERE id = 'a'")
      .run(JSON.stringify(minimal));
    assert.deepEqual(meta.containers.get("a")?.config.Mounts, []);
    assert.equal(meta.containers.get("a")?.config.AttachStdout, true);

    // Damage is still told apart: an old row of the wrong shape, and a row that is not JSON.
    meta.db.prepare("UPDATE containers SET config = ? WHERE id = 'a'").run('{"Hostname":1}');
    assert.throws(() => meta.containers.get("a"), { code: "STORE_CORRUPT" });
    meta.db
      .prepare("UPDATE containers SET config = '{', config_version = ? WHERE id = 'a'")
      .run(CONFIG_VERSION);
    assert.throws(() => meta.containers.get("a"), { code: "STORE_CORRUPT" });
  } finally {
    meta.close();
  }
});
