import assert from "node:assert/strict";
import { test } from "node:test";
import { displayPorts } from "../../src/format/index.ts";
import { containerResolvConf, inspectPorts, parsePublish, portLines } from "../../src/network/index.ts";

test("-p grammar: host address, host port, container port, protocol, ranges", () => {
  assert.deepEqual(parsePublish("8080:80"), [
    { containerPort: 80, protocol: "tcp", hostIp: "", hostPort: 8080 },
  ]);
  assert.deepEqual(parsePublish("127.0.0.1::53/udp"), [
    { containerPort: 53, protocol: "udp", hostIp: "127.0.0.1", hostPort: 0 },
  ]);
  assert.deepEqual(
    parsePublish("8000-8001:80-81").map((b) => [b.hostPort, b.containerPort]),
    [
      [8000, 80],
      [8001, 81],
    ],
  );
  assert.deepEqual(parsePublish("9000-9010:80"), [
    { containerPort: 80, protocol: "tcp", hostIp: "", hostPort: 9000, hostPortEnd: 9010 },
  ]);
  assert.equal(parsePublish("80").length, 1);
});

test("-p errors carry Docker's words", () => {
  const msg = (spec: string) => {
    try {
      parsePublish(spec);
      return "";
    } catch (err) {
      return (err as Error).message;
    }
  };
  assert.equal(msg("99999:80"), "Invalid hostPort: 99999");
  assert.equal(msg("abc"), "Invalid containerPort: abc");
  assert.equal(msg("80:99999"), "Invalid containerPort: 99999");
  assert.equal(msg("80/xyz"), "Invalid proto: xyz");
  assert.equal(msg("1.2.3:80:80"), "Invalid ip address: 1.2.3");
  assert.equal(
    msg("8000-8002:80-81"),
    "Invalid ranges specified for container and host Ports: 80-81 and 8000-8002",
  );
});

test("ps PORTS, port lines and inspect Ports as Docker prints them", () => {
  const published = [
    { containerPort: 80, protocol: "tcp" as const, hostIp: "0.0.0.0", hostPort: 18070 },
    { containerPort: 80, protocol: "tcp" as const, hostIp: "::", hostPort: 18070 },
  ];
  const api = published.map((p) => ({ IP: p.hostIp, PrivatePort: 80, PublicPort: p.hostPort, Type: "tcp" }));
  assert.equal(displayPorts(api), "0.0.0.0:18070->80/tcp, :::18070->80/tcp");
  assert.equal(displayPorts([{ PrivatePort: 80, Type: "tcp" }]), "80/tcp");
  const range = [8000, 8001, 8002].map((p, i) => ({
    IP: "0.0.0.0",
    PrivatePort: 80 + i,
    PublicPort: p,
    Type: "tcp",
  }));
  assert.equal(displayPorts(range), "0.0.0.0:8000-8002->80-82/tcp");
  assert.deepEqual(portLines(published), ["80/tcp -> 0.0.0.0:18070", "80/tcp -> :::18070"]);
  assert.deepEqual(inspectPorts(["80/tcp", "443/tcp"], published), {
    "80/tcp": [
      { HostIp: "0.0.0.0", HostPort: "18070" },
      { HostIp: "::", HostPort: "18070" },
    ],
    "443/tcp": null,
  });
});

test("resolv.conf: the host's without loopback servers, or search, nameserver and options from the flags", () => {
  const host = "search corp\nnameserver 127.0.0.53\nnameserver 10.0.0.1\noptions edns0\n";
  assert.equal(
    containerResolvConf({ servers: [], search: [], options: [] }, host),
    "search corp\nnameserver 10.0.0.1\noptions edns0\n",
  );
  assert.equal(
    containerResolvConf({ servers: ["10.210.1.1"], search: [], options: [] }, host),
    "search corp\nnameserver 10.210.1.1\noptions edns0\n",
  );
  assert.equal(
    containerResolvConf({ servers: ["1.1.1.1"], search: ["."], options: ["ndots:1"] }, host),
    "nameserver 1.1.1.1\noptions ndots:1\n",
  );
});
