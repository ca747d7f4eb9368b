/**
 * Networking through `strata system service`: the docker CLI's `run -p`,
 * `-P`, `--network`, `--network-alias`, `--ip`, `port`, and its `network
 * create|ls|inspect|connect|disconnect|rm|prune`; dockerode's create body
 * (ExposedPorts, PortBindings, NetworkingConfig) and network calls. The seed's
 * web server is fetched over HTTP from this test on the published ports, and
 * every flow is checked from strata's own CLI too (a client that reached some
 * other daemon fails).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import Docker from "dockerode";
import { RegistryClient } from "../../src/registry/index.ts";
import {
  type ApiService,
  type BusyboxService,
  DOCKER_20,
  docker,
  serviceRoot,
  startBusyboxService,
} from "../support/api.ts";
import { strata } from "../support/cli.ts";
import { pushServidorweb, SERVIDORWEB_INDEX } from "../support/fixtures.ts";
import { fetchText } from "../support/http.ts";

const { root, cleanup } = serviceRoot();
let svc: ApiService;
let served: BusyboxService | undefined;
let WEB: string;
let dockerode: Docker;

before(async () => {
  served = await startBusyboxService(root, cleanup);
  svc = served.svc;
  await pushServidorweb(new RegistryClient(), served.registry.host);
  WEB = `${served.registry.host}/servidorweb:v1`;
  dockerode = new Docker({ socketPath: svc.socket });
  await ok(["pull", "-q", WEB]);
});
after(async () => {
  await strata(root, ["network", "prune", "-f"]).catch(() => {});
  await (served ? served.stop() : cleanup());
});

async function ok(args: string[], opts: { bin?: string } = {}): Promise<string> {
  const r = await docker(svc, args, opts);
  assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** Runs `wget` in a new container on `network` until the name resolves (aardvark-dns takes a moment). */
async function fetchByName(network: string, url: string): Promise<string> {
  let r = await docker(svc, ["run", "--rm", "--network", network, WEB, "wget", "-qO-", url]);
  for (let i = 0; i < 30 && r.code !== 0; i++) {
    await sleep(200);
    r = await docker(svc, ["run", "--rm", "--network", network, WEB, "wget", "-qO-", url]);
  }
  assert.equal(r.code, 0, `${url}: ${r.stderr}`);
  return r.stdout;
}

test("docker run -p 127.0.0.1::80 and -P: the page over HTTP; port, ps and inspect as Docker prints them", async () => {
  const id = (await ok(["run", "-d", "--name", "pw", "-p", "127.0.0.1::80", WEB])).trim();
  const addr = (await ok(["port", "pw", "80"])).trim();
  const m = /^127\.0\.0\.1:(\d+)$/.exec(addr);
  assert.ok(m, addr);
  const port = Number(m[1]);
  assert.equal(await fetchText(`http://127.0.0.1:${port}/`), SERVIDORWEB_INDEX.v1);
  assert.equal(await ok(["port", "pw"]), `80/tcp -> 127.0.0.1:${port}\n`);
  // strata's own CLI sees the same container and port: the client reached strata.
  assert.equal((await strata(root, ["port", "pw"])).stdout, `80/tcp -> 127.0.0.1:${port}\n`);
  assert.equal(
    await ok(["ps", "--filter", "name=pw", "--format", "{{.ID}} {{.Ports}} {{.Networks}}"]),
    `${id.slice(0, 12)} 127.0.0.1:${port}->80/tcp bridge\n`,
  );
  const info = JSON.parse(await ok(["inspect", "pw"]))[0];
  assert.deepEqual(info.NetworkSettings.Ports, {
    "80/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }],
  });
  assert.deepEqual(info.HostConfig.PortBindings, { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] });
  assert.deepEqual(info.Config.ExposedPorts, { "80/tcp": {} });

  await ok(["run", "-d", "--name", "pa", "-P", WEB]);
  const lines = (await ok(["port", "pa"])).trimEnd().split("\n");
  assert.equal(lines.length, 2, lines.join("\n"));
  const [, any] = /^80\/tcp -> 0\.0\.0\.0:(\d+)$/.exec(lines[0] as string) ?? [];
  assert.ok(any, lines[0]);
  assert.equal(lines[1], `80/tcp -> [::]:${any}`);
  assert.equal(await fetchText(`http://127.0.0.1:${any}/`), SERVIDORWEB_INDEX.v1);
  assert.equal(await fetchText(`http://[::1]:${any}/`), SERVIDORWEB_INDEX.v1);
  // Debian's 20.10 client prints the same ports.
  assert.equal(
    await ok(["ps", "--filter", "name=pa", "--format", "{{.Ports}}"], { bin: DOCKER_20 }),
    `0.0.0.0:${any}->80/tcp, :::${any}->80/tcp\n`,
  );
  // A port already held: the start fails with Docker's message; the container stays created, as Docker's.
  const clash = await docker(svc, ["run", "-d", "--name", "clash", "-p", `127.0.0.1:${port}:80`, WEB]);
  assert.equal(clash.code, 125);
  assert.match(
    clash.stderr,
    new RegExp(`Bind for 127\\.0\\.0\\.1:${port} failed: port is already allocated\n`),
  );
  assert.match((await strata(root, ["ps", "-a", "--filter", "name=clash"])).stdout, / Created /);
  await ok(["rm", "-f", "pw", "pa", "clash"]);
  const bad = await docker(svc, ["run", "-d", "--network", "nope", WEB]);
  assert.equal(bad.code, 125);
  // Refused at create with a 400 (a 404 would make the CLI pull the image and try again).
  assert.equal(
    bad.stderr,
    "docker: Error response from daemon: network nope not found\n\nRun 'docker run --help' for more information\n",
  );
  assert.equal((await strata(root, ["ps", "-aq"])).stdout, "", "nothing is left of a refused create");
});

test("docker network create, ls, inspect, run --network/--network-alias/--ip, connect, disconnect, rm, prune", async () => {
  const id = (await ok(["network", "create", "--label", "team=api", "apinet1"])).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const dup = await docker(svc, ["network", "create", "apinet1"]);
  assert.equal(dup.code, 1);
  assert.equal(dup.stderr, "Error response from daemon: network with name apinet1 already exists\n");
  // The 20.10 client's table, filtered by the service; strata's own CLI lists the same network.
  assert.equal(
    await ok(["network", "ls", "--filter", "label=team=api"], { bin: DOCKER_20 }),
    `NETWORK ID     NAME      DRIVER    SCOPE\n${id.slice(0, 12)}   apinet1   bridge    local\n`,
  );
  assert.match((await strata(root, ["network", "ls", "-q", "--no-trunc"])).stdout, new RegExp(id));
  assert.equal(await ok(["network", "ls", "--filter", "type=custom", "--format", "{{.Name}}"]), "apinet1\n");
  const builtin = await ok(["network", "ls", "--filter", "type=builtin", "--format", "{{.Name}}"]);
  assert.equal(builtin, "bridge\nhost\nnone\n");
  const info = JSON.parse(await ok(["network", "inspect", "apinet1"]))[0];
  assert.equal(info.Id, id);
  assert.deepEqual(info.Labels, { team: "api" });
  const subnet: string = info.IPAM.Config[0].Subnet;
  const ip = subnet.replace(/\.0\/\d+$/, ".77");
  const missing = await docker(svc, ["network", "inspect", "nope"], { bin: DOCKER_20 });
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, "Error: No such network: nope\n");

  await ok(["run", "-d", "--name", "srv", "--network", "apinet1", "--network-alias", "web", "--ip", ip, WEB]);
  const srv = JSON.parse(await ok(["inspect", "srv"]))[0];
  assert.equal(srv.HostConfig.NetworkMode, "apinet1");
  assert.equal(srv.NetworkSettings.Networks.apinet1.IPAddress, ip);
  assert.deepEqual(srv.NetworkSettings.Networks.apinet1.IPAMConfig, { IPv4Address: ip });
  assert.equal(await fetchByName("apinet1", "http://web/"), SERVIDORWEB_INDEX.v1);
  assert.equal(await fetchByName("apinet1", `http://${ip}/`), SERVIDORWEB_INDEX.v1);

  // connect a running container on the default bridge, with an alias; then disconnect it.
  await ok(["run", "-d", "--name", "cli", WEB]);
  await ok(["network", "connect", "--alias", "other", "apinet1", "cli"]);
  const ifaces = async () => (await ok(["exec", "cli", "ls", "/sys/class/net"])).split("\n").filter(Boolean);
  assert.deepEqual(await ifaces(), ["eth0", "eth1", "lo"]);
  assert.equal(await fetchByName("apinet1", "http://other/"), SERVIDORWEB_INDEX.v1);
  const cliNets = JSON.parse(await ok(["inspect", "cli"]))[0].NetworkSettings.Networks;
  assert.deepEqual(Object.keys(cliNets).sort(), ["apinet1", "bridge"]);
  assert.ok(cliNets.apinet1.Aliases.includes("other"));
  const twice = await docker(svc, ["network", "connect", "apinet1", "cli"]);
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, /endpoint with name cli already exists in network apinet1/);
  const joined = JSON.parse(await ok(["network", "inspect", "apinet1"]))[0].Containers;
  assert.deepEqual(
    Object.values(joined)
      .map((c) => (c as { Name: string }).Name)
      .sort(),
    ["cli", "srv"],
  );
  await ok(["network", "disconnect", "apinet1", "cli"]);
  assert.deepEqual(await ifaces(), ["eth0", "lo"]);

  const inUse = await docker(svc, ["network", "rm", "apinet1"], { bin: DOCKER_20 });
  assert.equal(inUse.code, 1);
  assert.equal(
    inUse.stderr,
    `Error response from daemon: error while removing network: network apinet1 id ${id} has active endpoints\n`,
  );
  const predefined = await docker(svc, ["network", "rm", "bridge"], { bin: DOCKER_20 });
  assert.equal(
    predefined.stderr,
    "Error response from daemon: bridge is a pre-defined network and cannot be removed\n",
  );
  await ok(["rm", "-f", "srv", "cli"]);
  // Two --network flags (API 1.44): created on the first, connected to the second before it starts.
  await ok(["network", "create", "apinet2"]);
  await ok(["run", "-d", "--name", "two", "--network", "apinet1", "--network", "apinet2", WEB]);
  const two = JSON.parse(await ok(["inspect", "two"]))[0].NetworkSettings.Networks;
  assert.deepEqual(Object.keys(two).sort(), ["apinet1", "apinet2"]);
  assert.ok(two.apinet1.IPAddress && two.apinet2.IPAddress, JSON.stringify(two));
  assert.equal(await fetchByName("apinet2", "http://two/"), SERVIDORWEB_INDEX.v1);
  // A second network that does not exist: refused, and the container created for it is gone.
  const three = await docker(svc, [
    "run",
    "-d",
    "--name",
    "three",
    "--network",
    "apinet1",
    "--network",
    "nope",
    WEB,
  ]);
  assert.equal(three.code, 125);
  assert.match(three.stderr, /^docker: Error response from daemon: network nope not found\n/);
  assert.equal((await strata(root, ["ps", "-aq", "--filter", "name=three"])).stdout, "");
  await ok(["rm", "-f", "two"]);
  assert.equal(await ok(["network", "rm", "apinet2"]), "apinet2\n");
  assert.equal(await ok(["network", "prune", "-f"]), "Deleted Networks:\napinet1\n\n");
  assert.equal(
    (await strata(root, ["network", "ls", "--format", "{{.Name}}"])).stdout,
    "bridge\nhost\nnone\n",
  );
});

test("dockerode: networks, and a container created with ExposedPorts, PortBindings and EndpointsConfig", async () => {
  const net = await dockerode.createNetwork({ Name: "apinet3", Labels: { app: "dockerode" } });
  const listed = await dockerode.listNetworks({ filters: { label: ["app=dockerode"] } });
  assert.deepEqual(
    listed.map((n) => n.Name),
    ["apinet3"],
  );
  const info = await net.inspect();
  assert.equal(info.Name, "apinet3");
  const ip = String(info.IPAM?.Config?.[0]?.Subnet).replace(/\.0\/\d+$/, ".88");
  const c = await dockerode.createContainer({
    Image: WEB,
    name: "dw",
    ExposedPorts: { "80/tcp": {} },
    HostConfig: {
      NetworkMode: "apinet3",
      PortBindings: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "0" }] },
    },
    NetworkingConfig: { EndpointsConfig: { apinet3: { Aliases: ["www"], IPAMConfig: { IPv4Address: ip } } } },
  });
  await c.start();
  const inspected = await c.inspect();
  const binding = inspected.NetworkSettings.Ports["80/tcp"]?.[0];
  assert.equal(binding?.HostIp, "127.0.0.1");
  assert.equal(await fetchText(`http://127.0.0.1:${binding?.HostPort}/`), SERVIDORWEB_INDEX.v1);
  assert.equal(inspected.NetworkSettings.Networks.apinet3?.IPAddress, ip);
  const [summary] = await dockerode.listContainers({ filters: { name: ["dw"] } });
  assert.deepEqual(summary?.Ports, [
    { IP: "127.0.0.1", PrivatePort: 80, PublicPort: Number(binding?.HostPort), Type: "tcp" },
  ]);
  assert.equal(summary?.HostConfig.NetworkMode, "apinet3");
  assert.equal(summary?.NetworkSettings.Networks.apinet3?.IPAddress, ip);
  assert.equal(await fetchByName("apinet3", "http://www/"), SERVIDORWEB_INDEX.v1);

  // connect and disconnect through the network object; the container's networks follow.
  const other = await dockerode.createNetwork({ Name: "apinet4" });
  await other.connect({ Container: "dw", EndpointConfig: { Aliases: ["dw4"] } });
  assert.deepEqual(Object.keys((await c.inspect()).NetworkSettings.Networks).sort(), ["apinet3", "apinet4"]);
  await other.disconnect({ Container: "dw" });
  assert.deepEqual(Object.keys((await c.inspect()).NetworkSettings.Networks), ["apinet3"]);

  // Bad input: Docker's status codes, nothing created.
  await assert.rejects(
    dockerode.createContainer({ Image: WEB, HostConfig: { NetworkMode: "nope" } }),
    (err: { statusCode?: number; message: string }) =>
      err.statusCode === 400 && /network nope not found/.test(err.message),
  );
  await assert.rejects(
    dockerode.createContainer({
      Image: WEB,
      HostConfig: { PortBindings: { "80/tcp": [{ HostPort: "99999" }] } },
    }),
    (err: { statusCode?: number; message: string }) =>
      err.statusCode === 400 && /Invalid hostPort: 99999/.test(err.message),
  );
  await assert.rejects(
    dockerode.getNetwork("nope").inspect(),
    (err: { statusCode?: number }) => err.statusCode === 404,
  );
  await assert.rejects(
    dockerode.createNetwork({ Name: "apinet5", EnableIPv6: true }),
    (err: { statusCode?: number }) => err.statusCode === 400,
  );
  assert.equal((await strata(root, ["ps", "-aq"])).stdout.split("\n").filter(Boolean).length, 1);

  await assert.rejects(net.remove(), (err: { statusCode?: number }) => err.statusCode === 403);
  await c.remove({ force: true });
  const pruned = await dockerode.pruneNetworks({ filters: { label: ["app=dockerode"] } });
  assert.deepEqual(pruned.NetworksDeleted, ["apinet3"]);
  await other.remove();
  // IPAM's subnet and gateway and Internal reach the engine (a subnet unlikely to be taken on this machine).
  const subnet = `10.253.${process.pid % 250}.0/24`;
  const gateway = subnet.replace(/0\/24$/, "254");
  const ipam = await dockerode.createNetwork({
    Name: "apinet6",
    Internal: true,
    IPAM: { Driver: "default", Config: [{ Subnet: subnet, Gateway: gateway }] },
  });
  const got = await ipam.inspect();
  assert.deepEqual(got.IPAM?.Config, [{ Subnet: subnet, Gateway: gateway }]);
  assert.equal(got.Internal, true);
  await ipam.remove();
  assert.deepEqual((await dockerode.listNetworks()).map((n) => n.Name).sort(), ["bridge", "host", "none"]);
});
