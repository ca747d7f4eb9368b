/**
 * strata as a library: `new Engine({ root })` gives typed services over one
 * store. This is the composition root: it picks the drivers and wires them.
 * The CLI is a thin shell over it.
 */
import { ContainerService } from "./container/index.ts";
import { ImageService } from "./image/index.ts";
// From the modules themselves, not network/index.ts: the bundler puts every module a
// barrel reaches into the chunks loaded with the engine, and this one reaches netavark and the runtime.
import { NetworkService } from "./network/service.ts";
import type { RegistryClient, RegistryClientOptions } from "./registry/index.ts";
import { RegistryService } from "./registry/service.ts";
import { Store } from "./store/index.ts";
import { SystemService } from "./system/service.ts";
import { VolumeService } from "./volume/index.ts";

export type { BuildEvent, BuildOptions, BuildRequest, BuildResult } from "./build/index.ts";
export {
  type Change,
  type ContainerSummary,
  type CreateOptions,
  type StatsResponse,
  type StatsSummary,
  summarizeStats,
  type TopResult,
} from "./container/index.ts";
export { type ErrorCode, isStrataError, RegistryError, StrataError } from "./errors.ts";
export type {
  DeleteRecord,
  HistoryItem,
  ImageSummary,
  LayerPhase,
  PullEvent,
  PullOptions,
  PullResult,
  PushEvent,
  PushedTag,
  PushOptions,
  PushResult,
} from "./image/index.ts";
export type {
  ConnectOptions,
  NetworkCreateOptions,
  NetworkInspect,
  NetworkingOptions,
  NetworkSummary,
  PortBinding,
  PublishedPort,
} from "./network/index.ts";
export { parsePublish } from "./network/ports.ts";
export type { LoginResult, LogoutResult } from "./registry/login.ts";
export type {
  CheckReport,
  DiskUsage,
  EngineEvent,
  EngineInfo,
  EngineVersion,
  EventsOptions,
  SystemPruneOptions,
  SystemPruneResult,
} from "./system/index.ts";
export {
  type MountRequest,
  parseMountFlag,
  parseTmpfsFlag,
  parseVolumeFlag,
  type VolumeCreateOptions,
  type VolumeInspect,
  type VolumeUsage,
} from "./volume/index.ts";

export interface EngineOptions {
  /** The store root (default: $STRATA_ROOT or /var/lib/strata). */
  root?: string;
  registry?: RegistryClientOptions;
}

export const DEFAULT_ROOT = "/var/lib/strata";

export class Engine {
  readonly root: string;
  readonly images: ImageService;
  readonly containers: ContainerService;
  readonly networks: NetworkService;
  readonly system: SystemService;
  /** `login` / `logout`: credentials in Docker's config or its credential helpers. */
  readonly registries: RegistryService;
  readonly volumes: VolumeService;
  private readonly store: Store;
  private registryClient?: RegistryClient;

  constructor(opts: EngineOptions = {}) {
    this.root = opts.root ?? process.env.STRATA_ROOT ?? DEFAULT_ROOT;
    this.store = new Store(this.root);
    // The registry client (undici) loads only for commands that talk to a registry.
    const registry = async () => {
      if (!this.registryClient) {
        const { RegistryClient } = await import("./registry/index.ts");
        this.registryClient = new RegistryClient(opts.registry);
      }
      return this.registryClient;
    };
    this.images = new ImageService(this.store, registry);
    this.containers = new ContainerService(this.store, this.images);
    this.images.users = this.containers.users;
    this.registries = new RegistryService({
      dockerConfigPath: opts.registry?.dockerConfigPath,
      insecureRegistries: opts.registry?.insecureRegistries,
    });
    this.networks = new NetworkService(this.store, this.containers);
    this.volumes = new VolumeService(this.store);
    this.system = new SystemService(
      this.store,
      this.images,
      () => this.containers.usage(),
      () => this.volumes.usage(),
      () => this.containers.list({ all: true }),
      { containers: this.containers, networks: this.networks, volumes: this.volumes },
    );
  }

  /**
   * Closes the store and the registry connections. Idle keep-alive sockets
   * would otherwise hold a short-lived process open for tens of milliseconds
   * after its work is done.
   */
  async close(): Promise<void> {
    this.store.close();
    const client = this.registryClient;
    this.registryClient = undefined;
    await client?.close();
  }
}
