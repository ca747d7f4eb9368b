/**
 * testcontainers-node 12.0.1 (the last release for Node 20) against
 * `strata system service`: a GenericContainer with a wait-for-log strategy,
 * exec, and stop. testcontainers falls back to /var/run/docker.sock when
 * DOCKER_HOST does not answer, so each test checks strata's own store for
 * the container. This machine has a /.dockerenv: TESTCONTAINERS_HOST_OVERRIDE
 * keeps testcontainers from looking for a gateway of a container it is not in.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type ApiService, type BusyboxService, serviceRoot, startBusyboxService } from "../support/api.ts";
import { strata } from "../support/cli.ts";

const { root, cleanup } = serviceRoot();
let svc: ApiService;
let IMAGE: string;
let served: BusyboxService | undefined;

before(async () => {
  served = await startBusyboxService(root, cleanup);
  ({ svc, image: IMAGE } = served);
  process.env.DOCKER_HOST = svc.host;
  process.env.TESTCONTAINERS_HOST_OVERRIDE = "localhost";
  // The reaper needs published ports (the networking issue); these tests stop what they start.
  process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
});
after(async () => {
  await (served ? served.stop() : cleanup());
});

test("GenericContainer: pulled, started with a wait-for-log strategy, exec, stop", async () => {
  const { GenericContainer, Wait } = await import("testcontainers");
  const container = await new GenericContainer(IMAGE)
    .withCommand(["sh", "-c", "echo booting; sleep 0.3; echo ready to serve; sleep 600"])
    .withNetworkMode("host")
    .withWaitStrategy(Wait.forLogMessage("ready to serve"))
    .start();
  try {
    // strata's store has it: testcontainers reached strata, not some other daemon.
    const ps = (await strata(root, ["ps", "--no-trunc", "-q"])).stdout;
    assert.ok(ps.includes(container.getId()), `strata ps: ${ps}`);
    const result = await container.exec(["sh", "-c", "echo out; echo err >&2; exit 3"]);
    assert.equal(result.exitCode, 3);
    assert.equal(result.stdout, "out\n");
    assert.equal(result.stderr, "err\n");
    const plain = await container.exec(["cat", "/etc/hostname"]);
    assert.equal(plain.exitCode, 0);
    assert.equal(plain.output.trim(), container.getId().slice(0, 12));
  } finally {
    const stopped = await container.stop();
    assert.ok(stopped);
  }
  // stop removes the container, as testcontainers asks.
  assert.equal((await strata(root, ["ps", "-aq"])).stdout, "");
});
