/** familiarRef's shortcut agrees with parsing the name (Docker's FamiliarString). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { familiarRef } from "../../src/image/lookup.ts";
import { familiarString, parseReference } from "../../src/reference/index.ts";

test("familiarRef gives Docker's familiar form of stored names without parsing them", () => {
  const names = [
    "docker.io/library/ubuntu:22.04",
    "docker.io/library/a/b:1",
    "docker.io/user/x:v1",
    "docker.io/library/library:latest",
    "127.0.0.1:5000/servidorweb:v1",
    `docker.io/library/ubuntu@sha256:${"a".repeat(64)}`,
    `docker.io/library/ubuntu:1@sha256:${"b".repeat(64)}`,
    "quay.io/x/y:z",
    "localhost/x:1",
  ];
  for (const n of names) assert.equal(familiarRef(n), familiarString(parseReference(n)), n);
  assert.equal(familiarRef("docker.io/library/ubuntu:22.04"), "ubuntu:22.04");
});
