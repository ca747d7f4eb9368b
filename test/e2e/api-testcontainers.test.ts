/**
 * testcontainers-node 12.0.1 (the last release for Node 20) against
 * `strata system service`: a GenericContainer with an exposed port fetched
 * over HTTP from the host (the default wait-for-listening-ports strategy runs
 * several execs per poll), a wait-for-log strategy, exec, and stop; and its
 * Ryuk reaper (a stand-in image, test/support/ryuk) removing what a session
 * left once the session's process has gone. testcontainers falls back to /var/run/docker.sock when
 * DOCKER_HOST does not answer, so each test checks strata's own store for
 * the container. This machine has a /.dockerenv: TESTCONTAINERS_HOST_OVERRIDE
 * keeps testcontainers from looking for a gateway of a container it is not in.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { RegistryClient } from "../../src/registry/index.ts";
import { type ApiService, type BusyboxService, serviceRoot, startBusyboxService } from "../support/api.ts";
import { strata } from "../support/cli.ts";
import { pushServidorweb, SERVIDORWEB_INDEX } from "../support/fixtures.ts";
import { runProcess } from "../support/process.ts";
import { pushRyukStandIn } from "../support/ryuk.ts";

const { root, cleanup } = serviceRoot();
let svc: ApiService;
let IMAGE: string;
let WEB: string;
let RYUK: string;
let served: BusyboxService | undefined;

before(async () => {
  served = await startBusyboxService(root, cleanup);
  ({ svc, image: IMAGE } = served);
  await pushServidorweb(new RegistryClient(), served.registry.host);
  WEB = `${served.registry.host}/servidorweb:v1`;
  RYUK = await pushRyukStandIn(new RegistryClient(), served.registry.host);
  process.env.DOCKER_HOST = svc.host;
  process.env.TESTCONTAINERS_HOST_OVERRIDE = "localhost";
  // This process's tests stop what they start; the reaper is tested in a session process of its own.
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

test("GenericContainer with an exposed port: the default port wait, the page over HTTP from the host, exec, stop", async () => {
  const { GenericContainer } = await import("testcontainers");
  const container = await new GenericContainer(WEB).withExposedPorts(80).start();
  try {
    const url = `http://${container.getHost()}:${container.getMappedPort(80)}/`;
    assert.equal(await (await fetch(url)).text(), SERVIDORWEB_INDEX.v1);
    // strata published the port testcontainers maps: the client reached strata.
    const port = (await strata(root, ["port", container.getId(), "80"])).stdout;
    assert.match(port, new RegExp(`^0\\.0\\.0\\.0:${container.getMappedPort(80)}\\n`));
    const r = await container.exec(["wget", "-qO-", "http://127.0.0.1/"]);
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, SERVIDORWEB_INDEX.v1);
  } finally {
    await container.stop();
  }
  assert.equal((await strata(root, ["ps", "-aq"])).stdout, "");
});

/** Runs test/support/testcontainers-session.ts in its own process, with the reaper enabled. */
function session(env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = join(import.meta.dirname, "..", "support", "testcontainers-session.ts");
  return runProcess(process.execPath, ["--import", "tsx", script], { env, timeoutMs: 120_000 });
}

test("Ryuk: the reaper (a stand-in speaking its protocol) removes a session's container and network once the session has gone", async () => {
  const before = (await strata(root, ["ps", "-aq", "--no-trunc"])).stdout;
  const { TESTCONTAINERS_RYUK_DISABLED: _off, ...env } = process.env;
  const r = await session({
    ...env,
    SESSION_IMAGE: WEB,
    RYUK_CONTAINER_IMAGE: RYUK,
    // The reaper waits this long for its session to come back before it removes anything.
    TESTCONTAINERS_RYUK_RECONNECTION_TIMEOUT: "2s",
  });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    container: string;
    network: string;
    page: string;
    reaper?: {
      Id: string;
      Ports: { PrivatePort: number; PublicPort?: number }[];
      Mounts: { Source: string; Destination: string }[];
    };
    ack: string;
  };
  assert.equal(out.page, SERVIDORWEB_INDEX.v1);
  assert.ok(out.reaper, "the session found its reaper in the container list");
  assert.ok(out.reaper.Ports.some((p) => p.PrivatePort === 8080 && (p.PublicPort ?? 0) > 0));
  assert.ok(!before.includes(out.reaper.Id), "a new reaper, started by this session");
  // It mounts strata's socket (testcontainers passes the DOCKER_HOST path), and speaks Ryuk's protocol.
  assert.ok(
    out.reaper.Mounts.some((m) => m.Source === svc.socket && m.Destination === "/var/run/docker.sock"),
    JSON.stringify(out.reaper.Mounts),
  );
  assert.equal(out.ack, "ACK\n");
  // The session's container, on the network testcontainers made, is in strata's store: it reached strata.
  const now = (await strata(root, ["ps", "-aq", "--no-trunc"])).stdout;
  assert.ok(now.includes(out.container), now);
  let left = "";
  for (let i = 0; i < 150; i++) {
    left = (await strata(root, ["ps", "-aq", "--no-trunc"])).stdout;
    const nets = (await strata(root, ["network", "ls", "-q", "--no-trunc"])).stdout;
    if (!left.includes(out.container) && !left.includes(out.reaper.Id) && !nets.includes(out.network)) break;
    await sleep(200);
  }
  assert.ok(!left.includes(out.container), "the reaper removed the session's container");
  assert.ok(!left.includes(out.reaper.Id), "the reaper exited and was auto-removed");
  const nets = (await strata(root, ["network", "ls", "-q", "--no-trunc"])).stdout;
  assert.ok(!nets.includes(out.network), "the reaper removed the session's network");
});
