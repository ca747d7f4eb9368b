/**
 * RUN's network in `strata build`: by default a namespace of its own on
 * strata's default bridge (an address from the bridge's subnet, the route
 * through its gateway, the host's resolvers less loopback ones), as BuildKit's
 * bridge worker gives; `--network host` the host's; `none` only lo. After any
 * build, also a failed or a killed one (the next build cleans up), nothing is
 * left: no veth on the bridge, no namespace, no address held in the store.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { RegistryClient } from "../../src/registry/index.ts";
import { Store } from "../../src/store/index.ts";
import { CLI, strata } from "../support/cli.ts";
import { busyboxBaseTar, pushImage } from "../support/fixtures.ts";
import { startRegistry } from "../support/registry.ts";
import { tempDir } from "../support/tmp.ts";

let registry: Awaited<ReturnType<typeof startRegistry>>;
let base: string;
const root = tempDir();
const servers: Server[] = [];

before(async () => {
  registry = await startRegistry();
  base = `${registry.host}/busybox:latest`;
  await pushImage(new RegistryClient(), base, { layers: [{ tar: busyboxBaseTar() }] });
});
after(async () => {
  for (const s of servers) s.close();
  await registry?.stop();
});

/** Builds a Dockerfile given on stdin; returns the plain progress. */
async function build(dockerfile: string, extra: string[] = [], expectCode = 0): Promise<string> {
  const r = await strata(root, ["build", "--progress=plain", "--no-cache", ...extra, "-"], {
    input: dockerfile,
  });
  assert.equal(r.code, expectCode, r.stderr);
  return r.stderr;
}

/** What the build's RUN printed (the `#N 0.123 ` prefix removed). */
const runOutput = (progress: string) =>
  progress
    .split("\n")
    .filter((l) => /^#\d+ \d+\.\d{3} /.test(l))
    .map((l) => l.replace(/^#\d+ \d+\.\d{3} /, ""));

async function bridge(): Promise<{ id: string; subnet: string; gateway: string }> {
  const r = await strata(root, [
    "network",
    "inspect",
    "--format",
    "{{.Id}} {{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}}",
    "bridge",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const [id = "", subnet = "", gateway = ""] = r.stdout.trim().split(" ");
  return { id, subnet, gateway };
}

/** The bridge's ports: only its anchor (`sa-…`) when no RUN is attached. */
function bridgePorts(id: string): string[] {
  const dir = `/sys/class/net/st-${id.slice(0, 12)}/brif`;
  return existsSync(dir) ? readdirSync(dir).filter((p) => p !== `sa-${id.slice(0, 12)}`) : [];
}

async function assertNothingLeft(): Promise<void> {
  const { id } = await bridge();
  assert.deepEqual(bridgePorts(id), [], "a veth is left on the bridge");
  const store = new Store(root);
  try {
    assert.deepEqual(store.meta.networks.addressesIn(id), [], "an address is still held");
  } finally {
    store.close();
  }
  const tmp = join(root, "tmp");
  assert.deepEqual(existsSync(tmp) ? readdirSync(tmp).filter((n) => n.startsWith("build-")) : [], []);
}

function listen(host: string): Promise<number> {
  const server = createServer((_req, res) => res.end("hello from the host\n"));
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

test("a RUN is on the default bridge: its own address, the gateway's route, the host's resolvers; it reaches a server on the host", async () => {
  const out = runOutput(
    await build(`FROM ${base}\nRUN ip -4 -o addr show eth0 && ip route && cat /etc/resolv.conf\n`),
  );
  const { subnet, gateway } = await bridge();
  const prefix = subnet.split(".").slice(0, 3).join(".");
  assert.ok(
    out.some((l) => new RegExp(`inet ${prefix.replace(/\./g, "\\.")}\\.\\d+/24 `).test(l)),
    `no address in ${subnet}: ${out.join("\n")}`,
  );
  assert.ok(
    out.some((l) => l.startsWith(`default via ${gateway} dev eth0`)),
    out.join("\n"),
  );
  const servers = out.filter((l) => l.startsWith("nameserver "));
  assert.ok(servers.length > 0, "a resolver");
  assert.ok(!servers.some((l) => /nameserver (127\.|::1)/.test(l)), "no loopback resolver");
  await assertNothingLeft();

  // A server on the host's side of the bridge (its gateway address) answers the RUN.
  const port = await listen(gateway);
  const got = runOutput(await build(`FROM ${base}\nRUN wget -q -O- http://${gateway}:${port}/\n`));
  assert.deepEqual(got, ["hello from the host"]);
  await assertNothingLeft();
});

test("--network host: the host's loopback is reachable; none: only lo; RUN --network none inside a bridged build", async () => {
  const port = await listen("127.0.0.1");
  const url = `http://127.0.0.1:${port}/`;
  const host = runOutput(await build(`FROM ${base}\nRUN wget -q -O- ${url}\n`, ["--network", "host"]));
  assert.deepEqual(host, ["hello from the host"]);
  // On the bridge, 127.0.0.1 is the RUN's own loopback: nothing listens there.
  await build(`FROM ${base}\nRUN wget -q -O- ${url}\n`, [], 1);
  const none = runOutput(await build(`FROM ${base}\nRUN ls /sys/class/net\n`, ["--network", "none"]));
  assert.deepEqual(none, ["lo"]);
  const mixed = runOutput(
    await build(`FROM ${base}\nRUN --network=none ls /sys/class/net\nRUN ls /sys/class/net\n`),
  );
  assert.deepEqual(mixed, ["lo", "eth0", "lo"]);
  await assertNothingLeft();
});

test("a failed RUN and a killed build leave no veth, namespace or address (the next build cleans a killed one)", async () => {
  await build(`FROM ${base}\nRUN echo partial && exit 3\n`, [], 1);
  await assertNothingLeft();

  const { id } = await bridge();
  const child = spawn(process.execPath, [CLI, "--root", root, "build", "--progress=plain", "-"], {
    stdio: ["pipe", "ignore", "pipe"],
  });
  child.stdin.end(`FROM ${base}\nRUN echo started && sleep 30\n`);
  let err = "";
  await new Promise<void>((resolve) => {
    child.stderr.on("data", (d) => {
      err += d;
      // The RUN's own output line (`#5 0.051 started`), not its header.
      if (/#\d+ \d+\.\d+ started\n/.test(err)) resolve();
    });
  });
  assert.equal(bridgePorts(id).length, 1, "the RUN's veth is on the bridge");
  // The sandbox's marker names its namespace.
  const tmp = join(root, "tmp");
  const marker = readdirSync(tmp).find((n) => /^build-\d+-net-/.test(n)) as string;
  const sandbox = JSON.parse(readFileSync(join(tmp, marker, "sandbox.json"), "utf8")) as { id: string };
  const netns = `/run/netns/strata-${sandbox.id.slice(0, 16)}`;
  assert.ok(existsSync(netns));
  child.kill("SIGKILL");
  await new Promise((r) => child.on("close", r));
  assert.equal(bridgePorts(id).length, 1, "a SIGKILLed build cannot clean up after itself");

  await build(`FROM ${base}\nRUN true\n`);
  await assertNothingLeft();
  assert.ok(!existsSync(netns), "the killed build's namespace is gone");
  assert.ok(!readFileSync("/proc/mounts", "utf8").includes(netns));
});
