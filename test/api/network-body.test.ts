/** The networking part of Docker's create body as strata's NetworkingOptions. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { HttpError } from "../../src/api/http.ts";
import { extraNetworks, networkingOptions } from "../../src/api/network-body.ts";

test("PortBindings become -p bindings: ephemeral, fixed, loopback, IPv6, a host range", () => {
  const o = networkingOptions(
    { ExposedPorts: { "80/tcp": {}, "53/UDP": {}, "9000": {} } },
    {
      PortBindings: {
        "80/tcp": [
          { HostIp: "127.0.0.1", HostPort: "" },
          { HostIp: "::1", HostPort: "8080" },
        ],
        "53/udp": [{ HostPort: "0" }],
        "81/tcp": [{ HostIp: "", HostPort: "9000-9010" }],
        "82/tcp": null,
      },
      PublishAllPorts: true,
    },
  );
  assert.deepEqual(o.ports, [
    { containerPort: 80, protocol: "tcp", hostIp: "127.0.0.1", hostPort: 0 },
    { containerPort: 80, protocol: "tcp", hostIp: "::1", hostPort: 8080 },
    { containerPort: 53, protocol: "udp", hostIp: "", hostPort: 0 },
    { containerPort: 81, protocol: "tcp", hostIp: "", hostPort: 9000, hostPortEnd: 9010 },
  ]);
  assert.equal(o.publishAll, true);
  assert.deepEqual(o.expose?.sort(), ["53/udp", "80/tcp", "9000/tcp"]);
  assert.equal(o.network, undefined);
});

test("NetworkMode and EndpointsConfig: the primary network's aliases and address; the others to connect", () => {
  const body = {
    HostConfig: { NetworkMode: "front" },
    NetworkingConfig: {
      EndpointsConfig: {
        front: { Aliases: ["web"], IPAMConfig: { IPv4Address: "10.1.2.3" } },
        back: { Aliases: ["db"] },
      },
    },
  };
  const o = networkingOptions(body, body.HostConfig);
  assert.equal(o.network, "front");
  assert.deepEqual(o.networkAliases, ["web"]);
  assert.equal(o.ip, "10.1.2.3");
  assert.deepEqual(extraNetworks(body), [{ network: "back", aliases: ["db"], ip: undefined }]);
  // The default network as clients name it: "", "default" or "bridge".
  assert.deepEqual(extraNetworks({ NetworkingConfig: { EndpointsConfig: { bridge: {} } } }), []);
  assert.equal(networkingOptions({}, { NetworkMode: "bridge" }).network, "bridge");
  assert.equal(networkingOptions({}, { NetworkMode: "default" }).network, undefined);
});

test("what strata cannot honour is a 400, never dropped", () => {
  const bad = (body: Record<string, unknown>, host: Record<string, unknown>, re: RegExp) =>
    assert.throws(
      () => networkingOptions(body, host),
      (err: unknown) => err instanceof HttpError && err.status === 400 && re.test(err.message),
    );
  bad({}, { PortBindings: { "http/tcp": [{}] } }, /invalid port specification: "http\/tcp"/);
  bad({ ExposedPorts: { abc: {} } }, {}, /invalid port specification: "abc"/);
  bad(
    { NetworkingConfig: { EndpointsConfig: { bridge: { Links: ["a:b"] } } } },
    {},
    /EndpointsConfig\.Links/,
  );
  bad(
    { NetworkingConfig: { EndpointsConfig: { n: { IPAMConfig: { IPv6Address: "fd00::2" } } } } },
    { NetworkMode: "n" },
    /IPv6Address/,
  );
  assert.throws(
    () => networkingOptions({}, { PortBindings: { "80/tcp": [{ HostPort: "99999" }] } }),
    /Invalid hostPort: 99999/,
  );
});
