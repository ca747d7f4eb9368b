/**
 * One testcontainers session in a process of its own (run by
 * api-testcontainers.test.ts): a network and a container with an exposed port
 * on it, started with the reaper enabled, its page fetched from the host. The
 * process then exits without stopping anything: its reaper connection closes,
 * and the reaper must remove what the session made.
 */
import { connect } from "node:net";
import { GenericContainer, getContainerRuntimeClient, Network } from "testcontainers";

const image = process.env.SESSION_IMAGE as string;
const network = await new Network().start();
const container = await new GenericContainer(image)
  .withExposedPorts(80)
  .withNetwork(network)
  .withNetworkAliases("web")
  .start();
const page = await (await fetch(`http://${container.getHost()}:${container.getMappedPort(80)}/`)).text();
// The reaper as the API lists it (testcontainers keeps its own handle private).
const reaper = (await (await getContainerRuntimeClient()).container.list()).find(
  (c) => c.Labels["org.testcontainers.ryuk"] === "true",
);
// Ryuk's protocol: a filter line is answered with ACK (testcontainers itself never reads the answer).
const port = reaper?.Ports.find((p) => p.PrivatePort === 8080)?.PublicPort;
const ack = await new Promise<string>((resolve, reject) => {
  const s = connect(port ?? 0, container.getHost(), () => s.write("label=strata.test=ack\r\n"));
  s.once("data", (d) => {
    resolve(String(d));
    s.destroy();
  });
  s.once("error", reject);
});
process.stdout.write(
  `${JSON.stringify({ container: container.getId(), network: network.getId(), page, reaper, ack })}\n`,
);
process.exit(0);
