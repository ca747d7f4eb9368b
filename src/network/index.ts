/**
 * strata's networking: bridge networks with addresses from strata's own
 * allocator, published ports and DNS on user networks, plumbed by netavark.
 * The only module imported from outside src/network.
 */
export { checkNetworking } from "./check.ts";
// A build's RUN sandboxes on the default bridge (src/build/network.ts) use the same plumbing as a container's start.
export {
  type Attachment,
  allocate,
  configDir,
  containerPorts,
  driverNetwork,
  type NetworkingOptions,
  type NetworkPlan,
  planNetworking,
  setupContainer,
  teardownContainer,
} from "./container.ts";
export { containerNetworkSettings, type NetworkInspect } from "./inspect.ts";
export { macFor, parseAddress } from "./ipv4.ts";
export { bridgeName, createNetns, deleteNetns, netnsPath, networkReady, setup } from "./netavark.ts";
export {
  inspectPorts,
  type PortBinding,
  type Protocol,
  type PublishedPort,
  parsePortKey,
  parsePublish,
  portLines,
} from "./ports.ts";
export type { NetworkCreateOptions } from "./registry.ts";
export { DEFAULT_NETWORK, defaultNetworks, findNetwork } from "./registry.ts";
export { containerResolvConf } from "./resolv.ts";
export {
  type ConnectOptions,
  type NetworkContainers,
  NetworkService,
  type NetworkSummary,
} from "./service.ts";
