/**
 * Networks end to end, with real namespaces, veths, netavark's iptables rules
 * and aardvark-dns: the seed's web server fetched over HTTP from this test on
 * a published port, -P, loopback-only ports, hairpin from another container,
 * a port conflict, user networks resolving names and aliases, live connect
 * and disconnect, 20 concurrent starts on one network, and clean-up checked
 * against `ip -o link` and `iptables-save` before and after.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { RegistryClient } from "../../src/registry/index.ts";
import { strata } from "../support/cli.ts";
import { pushServidorweb, SERVIDORWEB_INDEX } from "../support/fixtures.ts";
import { fetchText } from "../support/http.ts";
import { startRegistry } from "../support/registry.ts";
import { tempDir } from "../support/tmp.ts";

let registry: Awaited<ReturnType<typeof startRegistry>>;
let web: string;
let web2: string;
const root = tempDir();
const run = (args: string[]) => strata(root, args);

/** A free port in a range nothing else here uses. */
let nextPort = 18_300 + (process.pid % 200) * 3;
const freePort = () => nextPort++;

async function ok(args: string[]): Promise<string> {
  const r = await run(args);
  assert.equal(r.code, 0, `strata ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** The kernel state a store's networking could leave: links and iptables lines. */
function kernelState(): { links: Set<string>; rules: Set<string> } {
  // A link as its name and the bridge it is a port of (a container's veth shows its network's bridge).
  const links = execFileSync("ip", ["-o", "link"], { encoding: "utf8" })
    .split("\n")
    .map((l) => `${l.split(":")[1]?.trim().split("@")[0] ?? ""} ${/ master (\S+)/.exec(l)?.[1] ?? ""}`)
    .filter((l) => l.trim() !== "");
  const rules = execFileSync("iptables-save", { encoding: "utf8" })
    .split("\n")
    // Counters and comments change on their own; other engines' chains are not ours to judge.
    .filter((l) => l.startsWith("-A") && !/DOCKER|CNI-|LIBVIRT/.test(l));
  return { links: new Set(links), rules: new Set(rules) };
}

/** What appeared since `before` and mentions one of `marks` (subnets, bridges, IDs of this test). */
function leftovers(before: ReturnType<typeof kernelState>, marks: string[]): string[] {
  const now = kernelState();
  const added = [
    ...[...now.links].filter((l) => !before.links.has(l)),
    ...[...now.rules].filter((r) => !before.rules.has(r)),
  ];
  return added.filter((x) => marks.some((m) => x.includes(m)));
}

async function networkMarks(name: string): Promise<string[]> {
  const info = JSON.parse(await ok(["network", "inspect", name]))[0];
  const subnet: string = info.IPAM.Config[0].Subnet;
  return [subnet, subnet.replace(/\.0\/\d+$/, "."), info.Id.slice(0, 12)];
}

const netnsOf = (id: string) => `/run/netns/strata-${id.slice(0, 16)}`;

before(async () => {
  registry = await startRegistry();
  await pushServidorweb(new RegistryClient(), registry.host);
  web = `${registry.host}/servidorweb:v1`;
  web2 = `${registry.host}/servidorweb:v2`;
  await ok(["pull", "-q", web]);
  await ok(["pull", "-q", web2]);
});
after(async () => {
  await run(["rm", "-f", ...(await run(["ps", "-aq"])).stdout.split("\n").filter(Boolean)]);
  await run(["network", "prune", "-f"]);
  registry?.stop();
});

test("-p: the seed's page over HTTP from the host; port, ps PORTS and inspect as Docker prints them", async () => {
  const port = freePort();
  const id = (await ok(["run", "-d", "--name", "web1", "-p", `${port}:80`, web])).trim();
  assert.equal(await fetchText(`http://127.0.0.1:${port}/`), SERVIDORWEB_INDEX.v1);
  assert.equal(await ok(["port", "web1"]), `80/tcp -> 0.0.0.0:${port}\n80/tcp -> :::${port}\n`);
  assert.equal(await ok(["port", "web1", "80"]), `0.0.0.0:${port}\n:::${port}\n`);
  const missing = await run(["port", "web1", "81"]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, "Error: No public port '81/tcp' published for web1\n");
  const ps = await ok(["ps", "--format", "{{.Names}}\t{{.Ports}}", "--filter", "name=web1"]);
  assert.equal(ps, `web1\t0.0.0.0:${port}->80/tcp, :::${port}->80/tcp\n`);
  assert.equal(
    (await ok(["inspect", "--format", "{{json .NetworkSettings.Ports}}", "web1"])).trim(),
    JSON.stringify({
      "80/tcp": [
        { HostIp: "0.0.0.0", HostPort: String(port) },
        { HostIp: "::", HostPort: String(port) },
      ],
    }),
  );
  // IPv6 loopback goes through the userland proxy; the host's own address and other containers through DNAT.
  assert.equal(await fetchText(`http://[::1]:${port}/`), SERVIDORWEB_INDEX.v1);
  const hostIp = execFileSync("ip", ["-4", "-o", "route", "get", "1.1.1.1"], { encoding: "utf8" }).match(
    /src (\S+)/,
  )?.[1];
  if (hostIp) {
    assert.equal(await fetchText(`http://${hostIp}:${port}/`), SERVIDORWEB_INDEX.v1);
    const hairpin = await ok(["run", "--rm", web, "wget", "-qO-", `http://${hostIp}:${port}/`]);
    assert.equal(hairpin, SERVIDORWEB_INDEX.v1);
  }
  const inspect = JSON.parse(await ok(["inspect", "web1"]))[0];
  assert.equal(inspect.HostConfig.NetworkMode, "default");
  assert.match(inspect.NetworkSettings.IPAddress, /^10\.2(1\d|2[0-5])\.\d+\.\d+$/);
  assert.equal(inspect.NetworkSettings.Networks.bridge.IPAddress, inspect.NetworkSettings.IPAddress);
  assert.equal(inspect.NetworkSettings.SandboxKey, netnsOf(id));
  await ok(["rm", "-f", "web1"]);
});

test("127.0.0.1-only ports and -P (every exposed port on an ephemeral one)", async () => {
  const port = freePort();
  await ok(["run", "-d", "--name", "web2", "-p", `127.0.0.1:${port}:80`, web]);
  await ok(["run", "-d", "--name", "web3", "-P", web2]);
  assert.equal(await fetchText(`http://127.0.0.1:${port}/`), SERVIDORWEB_INDEX.v1);
  const ps = await ok(["ps", "--format", "table {{.Names}}\t{{.Ports}}", "--filter", "name=web"]);
  const lines = ps.trimEnd().split("\n");
  assert.match(lines[0] as string, /^NAMES\s+PORTS$/);
  assert.match(lines[1] as string, /^web3\s+0\.0\.0\.0:(\d+)->80\/tcp, :::\1->80\/tcp$/);
  assert.match(lines[2] as string, new RegExp(`^web2\\s+127\\.0\\.0\\.1:${port}->80/tcp$`));
  const ephemeral = Number((await ok(["port", "web3", "80/tcp"])).split("\n")[0]?.split(":")[1]);
  assert.ok(ephemeral >= 1024, String(ephemeral));
  assert.equal(await fetchText(`http://127.0.0.1:${ephemeral}/`), SERVIDORWEB_INDEX.v2);
  await ok(["rm", "-f", "web2", "web3"]);
});

test("a port in use is refused at run with Docker's message; nothing runs and nothing is kept", async () => {
  const port = freePort();
  await ok(["run", "-d", "--name", "holder", "-p", `${port}:80`, web]);
  const marks = await networkMarks("bridge");
  const before = kernelState();
  const r = await run(["run", "-d", "--name", "loser", "-p", `${port}:80`, web]);
  assert.equal(r.code, 125);
  const id = r.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/, "Docker's CLI prints the ID before the start fails");
  assert.match(
    r.stderr,
    new RegExp(
      `^strata: Error response from daemon: driver failed programming external connectivity on endpoint loser \\([0-9a-f]{64}\\): Bind for 0\\.0\\.0\\.0:${port} failed: port is already allocated\\.\\n$`,
    ),
  );
  assert.match(await ok(["ps", "-a", "--filter", "name=loser", "--format", "{{.Status}}"]), /^Created/);
  assert.equal(existsSync(netnsOf(id)), false);
  assert.deepEqual(leftovers(before, [...marks, id.slice(0, 12)]), []);
  const inspect = JSON.parse(await ok(["inspect", "loser"]))[0];
  assert.equal(inspect.NetworkSettings.IPAddress, "", "no address is kept");
  await ok(["rm", "-f", "holder", "loser"]);
});

test("bad input: Docker's messages and exit codes, nothing created", async () => {
  const before = (await ok(["ps", "-aq"])).split("\n").length;
  const cases: [string[], string][] = [
    [["-p", "99999:80"], "strata: Invalid hostPort: 99999.\nSee 'strata run --help'.\n"],
    [["-p", "abc"], "strata: Invalid containerPort: abc.\nSee 'strata run --help'.\n"],
    [
      ["--network", "does-not-exist"],
      "strata: Error response from daemon: network does-not-exist not found.\n",
    ],
  ];
  for (const [flags, stderr] of cases) {
    const r = await run(["run", "--rm", ...flags, web, "true"]);
    assert.equal(r.code, 125, flags.join(" "));
    assert.equal(r.stderr, stderr);
  }
  assert.equal((await ok(["ps", "-aq"])).split("\n").length, before);
  const nope = await run(["network", "inspect", "nope"]);
  assert.equal(nope.code, 1);
  assert.equal(nope.stderr, "Error: No such network: nope\n");
});

test("--dns, --dns-search, --dns-option, --add-host and --hostname are written as Docker writes them", async () => {
  const out = await ok([
    "run",
    "--rm",
    "--hostname",
    "caja",
    "--dns",
    "192.0.2.53",
    "--dns-search",
    "example.com",
    "--dns-option",
    "ndots:2",
    "--add-host",
    "db:192.0.2.7",
    web,
    "sh",
    "-c",
    "cat /etc/resolv.conf; echo --; cat /etc/hosts; echo --; hostname; ip -4 -o addr show eth0",
  ]);
  const [resolv, hosts, rest] = out.split("--\n");
  assert.equal(resolv, "search example.com\nnameserver 192.0.2.53\noptions ndots:2\n");
  const ip = /inet (\S+)\//.exec(rest as string)?.[1];
  assert.ok(ip, rest);
  assert.ok(hosts?.endsWith(`ff02::2\tip6-allrouters\n192.0.2.7\tdb\n${ip}\tcaja\n`), hosts);
  assert.match(rest as string, /^caja\n/);
});

test("a user network: names and aliases resolve, answers follow containers; rm refused while in use", async () => {
  const netId = (await ok(["network", "create", "cap-net1"])).trim();
  assert.match(netId, /^[0-9a-f]{64}$/);
  const ls = await ok(["network", "ls"]);
  const rows = ls.trimEnd().split("\n");
  assert.match(rows[0] as string, /^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/);
  assert.ok(
    rows.some((r) => new RegExp(`^${netId.slice(0, 12)}\\s+cap-net1\\s+bridge\\s+local$`).test(r)),
    ls,
  );
  for (const name of ["bridge", "host", "none"])
    assert.ok(
      rows.some((r) => r.includes(` ${name} `)),
      ls,
    );
  const dup = await run(["network", "create", "cap-net1"]);
  assert.equal(dup.code, 1);
  assert.equal(dup.stderr, "Error response from daemon: network with name cap-net1 already exists\n");
  const subnet = JSON.parse(await ok(["network", "inspect", "cap-net1"]))[0].IPAM.Config[0].Subnet;
  const overlap = await run(["network", "create", "--subnet", subnet, "cap-net2"]);
  assert.equal(overlap.code, 1);
  assert.equal(
    overlap.stderr,
    "Error response from daemon: Pool overlaps with other one on this address space\n",
  );

  await ok(["run", "-d", "--name", "cap-a", "--network", "cap-net1", web]);
  await ok(["run", "-d", "--name", "cap-b", "--network", "cap-net1", "--network-alias", "web", web2]);
  const fetchIn = (url: string) => run(["exec", "cap-a", "wget", "-qO-", url]);
  for (const host of ["cap-b", "web"]) {
    let r = await fetchIn(`http://${host}/`);
    for (let i = 0; i < 50 && r.code !== 0; i++) {
      await sleep(100);
      r = await fetchIn(`http://${host}/`);
    }
    assert.equal(r.stdout, SERVIDORWEB_INDEX.v2, `${host}: ${r.stderr}`);
  }
  const inUse = await run(["network", "rm", "cap-net1"]);
  assert.equal(inUse.code, 1);
  assert.equal(
    inUse.stderr,
    `Error response from daemon: error while removing network: network cap-net1 id ${netId} has active endpoints\n`,
  );
  // Stopped, cap-b no longer answers to its name.
  await ok(["stop", "-t", "1", "cap-b"]);
  assert.notEqual((await fetchIn("http://cap-b/")).code, 0);
  // The default bridge resolves no names (as Docker's).
  await ok(["run", "-d", "--name", "plain", web]);
  assert.notEqual((await run(["exec", "plain", "wget", "-qO-", "http://cap-a/"])).code, 0);
  await ok(["rm", "-f", "cap-a", "cap-b", "plain"]);
  assert.equal(await ok(["network", "rm", "cap-net1"]), "cap-net1\n");
});

test("connect and disconnect a running container; connecting twice is refused", async () => {
  await ok(["network", "create", "live-net"]);
  await ok(["run", "-d", "--name", "srv", "--network", "live-net", web2]);
  await ok(["run", "-d", "--name", "cli", web]);
  const ifaces = async () => (await ok(["exec", "cli", "ls", "/sys/class/net"])).split("\n").filter(Boolean);
  assert.deepEqual(await ifaces(), ["eth0", "lo"]);
  await ok(["network", "connect", "--alias", "other", "live-net", "cli"]);
  assert.deepEqual(await ifaces(), ["eth0", "eth1", "lo"]);
  assert.equal(await ok(["exec", "cli", "wget", "-qO-", "http://srv/"]), SERVIDORWEB_INDEX.v2);
  const twice = await run(["network", "connect", "live-net", "cli"]);
  assert.equal(twice.code, 1);
  assert.equal(
    twice.stderr,
    "Error response from daemon: endpoint with name cli already exists in network live-net\n",
  );
  const info = JSON.parse(await ok(["network", "inspect", "live-net"]))[0];
  assert.deepEqual(
    Object.values(info.Containers)
      .map((c) => (c as { Name: string }).Name)
      .sort(),
    ["cli", "srv"],
  );
  await ok(["network", "disconnect", "live-net", "cli"]);
  assert.deepEqual(await ifaces(), ["eth0", "lo"]);
  await ok(["rm", "-f", "srv", "cli"]);
  await ok(["network", "rm", "live-net"]);
});

/** Whether the host port can be bound again (by a server of the test's own, on IPv4 and IPv6). */
async function bindable(port: number): Promise<boolean> {
  const net = await import("node:net");
  const listen = (host: string) =>
    new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen({ host, port, ipv6Only: host === "::" }, () => server.close(() => resolve(true)));
    });
  return (await listen("0.0.0.0")) && (await listen("::"));
}

const natRulesFor = (port: number) =>
  execFileSync("iptables-save", ["-t", "nat"], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.includes(`dport ${port} `));

test("disconnecting the network of the published ports removes their rules and frees the host port", async () => {
  const port = freePort();
  await ok(["network", "create", "side-net"]);
  await ok(["run", "-d", "--name", "pub", "-p", `${port}:80`, web]);
  await ok(["network", "connect", "side-net", "pub"]);
  assert.ok(natRulesFor(port).length > 0, "the test sees the DNAT rules it looks for");
  assert.equal(await bindable(port), false, "the host port is held while published");
  // Another network leaving takes nothing of the ports.
  await ok(["network", "disconnect", "side-net", "pub"]);
  assert.equal(await fetchText(`http://127.0.0.1:${port}/`), SERVIDORWEB_INDEX.v1);
  assert.equal(await ok(["port", "pub"]), `80/tcp -> 0.0.0.0:${port}\n80/tcp -> :::${port}\n`);
  await ok(["network", "disconnect", "bridge", "pub"]);
  assert.deepEqual(natRulesFor(port), []);
  assert.equal(await ok(["port", "pub"]), "");
  assert.equal(await bindable(port), true, "the host port is free again");
  assert.match(await ok(["ps", "--filter", "name=pub", "--format", "{{.Status}}"]), /^Up/);
  await ok(["rm", "-f", "pub"]);
  await ok(["network", "rm", "side-net"]);
});

test("20 concurrent run -d on one network get 20 distinct addresses", async () => {
  await ok(["network", "create", "crowd"]);
  const ids = await Promise.all(
    Array.from({ length: 20 }, (_x, i) =>
      ok(["run", "-d", "--name", `crowd${i}`, "--network", "crowd", web]).then((s) => s.trim()),
    ),
  );
  const info = JSON.parse(await ok(["network", "inspect", "crowd"]))[0];
  const addresses = ids.map((id) => info.Containers[id]?.IPv4Address);
  assert.equal(addresses.filter(Boolean).length, 20, JSON.stringify(info.Containers));
  assert.equal(new Set(addresses).size, 20);
  await ok(["rm", "-f", ...ids]);
  assert.deepEqual(JSON.parse(await ok(["network", "inspect", "crowd"]))[0].Containers, {});
  await ok(["network", "rm", "crowd"]);
});

test("clean-up: stop, rm, a killed conmon and a killed CLI leave no veth, rule, namespace or address", async () => {
  await ok(["network", "create", "tidy"]);
  const tidy = await networkMarks("tidy");
  const bridge = (await networkMarks("bridge"))[2] as string;
  const before = kernelState();
  const port = freePort();
  const ports = [port, port + 100, port + 200];
  const a = (await ok(["run", "-d", "--name", "t1", "--network", "tidy", "-p", `${port}:80`, web])).trim();
  const b = (await ok(["run", "-d", "--name", "t2", "-p", `${port + 100}:80`, web])).trim();
  await fetchText(`http://127.0.0.1:${port}/`);
  // Per container: its veth on a bridge, its DNAT rules. The default bridge itself lives on, as docker0 does.
  const marks = [...tidy, a.slice(0, 12), b.slice(0, 12), ...ports.map((p) => `dport ${p} `)];
  const perContainer = () =>
    leftovers(before, [...marks, ` st-${bridge}`]).filter((l) => !l.startsWith(`sa-${bridge}`));
  assert.ok(perContainer().length > 0, "the test sees the veths and rules it looks for");
  await ok(["stop", "-t", "1", "t1"]);
  assert.equal(existsSync(netnsOf(a)), false);
  // A killed monitor: the next command that looks settles the container and its network.
  const conmonPid = Number(
    execFileSync("cat", [`${root}/containers/${b}/userdata/conmon.pid`], { encoding: "utf8" }),
  );
  process.kill(conmonPid, "SIGKILL");
  await sleep(200);
  assert.match(await ok(["ps", "-a", "--filter", "name=t2", "--format", "{{.Status}}"]), /^Exited/);
  assert.equal(existsSync(netnsOf(b)), false);
  // A foreground run whose CLI is killed: its conmon lives on; when the container ends, the next look settles it.
  const child = (await import("node:child_process")).spawn(process.execPath, [
    `${process.cwd()}/dist/strata.js`,
    "--root",
    root,
    "run",
    "--name",
    "t3",
    "-p",
    `${port + 200}:80`,
    web,
    "sh",
    "-c",
    "sleep 1",
  ]);
  for (let i = 0; i < 100 && !(await run(["ps", "-q", "--filter", "name=t3"])).stdout.trim(); i++)
    await sleep(50);
  child.kill("SIGKILL");
  for (let i = 0; i < 100 && (await run(["ps", "-q", "--filter", "name=t3"])).stdout.trim(); i++)
    await sleep(100);
  await ok(["rm", "t1", "t2", "t3"]);
  await ok(["network", "rm", "tidy"]);
  // The kernel destroys a namespace's veths in the background: wait for it rather than guess.
  let left = perContainer();
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await sleep(100);
    left = perContainer();
  }
  assert.deepEqual(left, []);
  const netns = readdirSync("/run/netns").filter((n) =>
    [a, b].some((id) => n === `strata-${id.slice(0, 16)}`),
  );
  assert.deepEqual(netns, []);
  const check = await run(["system", "check"]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
});
