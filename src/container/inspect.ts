/**
 * `docker inspect` for a container: Docker's JSON shape (types.ContainerJSON)
 * with the fields strata has; GraphDriver names the overlay directories as
 * Docker's overlay2 does, with SizeRw/SizeRootFs only when sizes are asked for.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ContainerRecord } from "../metadata/index.ts";
import { containerFiles } from "../runtime/index.ts";
import { containerLayer } from "../snapshot/index.ts";
import type { Store } from "../store/index.ts";
import { inspectHostMounts, inspectMounts } from "../volume/index.ts";
import type { ContainerConfig } from "./create.ts";
import { hostOptionsOf, inspectHostOptions } from "./host-config.ts";
import { runtimeDir } from "./lifecycle.ts";
import { containerSizes, processArgs } from "./list.ts";

/** Go's zero time, which Docker prints for times that never happened. */
const ZERO_TIME = "0001-01-01T00:00:00Z";

export type ContainerInspect = Record<string, unknown>;

function state(store: Store, c: ContainerRecord) {
  const running = c.state === "running" || c.state === "paused";
  return {
    Status: c.state,
    Running: running,
    Paused: c.state === "paused",
    Restarting: c.state === "restarting",
    OOMKilled: existsSync(containerFiles(runtimeDir(store.root, c.id)).oomFile),
    Dead: c.state === "dead",
    Pid: running ? c.pid : 0,
    ExitCode: c.exitCode,
    Error: "",
    StartedAt: c.startedAt ?? ZERO_TIME,
    FinishedAt: c.finishedAt ?? ZERO_TIME,
  };
}

function graphDriver(store: Store, c: ContainerRecord) {
  const layer = containerLayer(store.root, c.id);
  const lowers = [layer.init, ...[...c.chain].reverse().map((id) => store.layers.diffDir(id))];
  return {
    Data: {
      LowerDir: lowers.join(":"),
      MergedDir: layer.merged,
      UpperDir: layer.upper,
      WorkDir: layer.work,
    },
    Name: "overlay2",
  };
}

function config(
  c: ContainerRecord,
  cfg: ContainerConfig,
  volumes: Record<string, object> | null,
  store: Store,
) {
  return {
    Hostname: cfg.Hostname,
    Domainname: "",
    User: cfg.User,
    AttachStdin: cfg.AttachStdin ?? cfg.OpenStdin,
    AttachStdout: cfg.AttachStdout,
    AttachStderr: cfg.AttachStderr,
    ...exposedPorts(store, c),
    Tty: cfg.Tty,
    OpenStdin: cfg.OpenStdin,
    StdinOnce: cfg.StdinOnce,
    Env: cfg.Env,
    Cmd: cfg.Cmd,
    Image: c.imageName,
    Volumes: volumes,
    WorkingDir: cfg.WorkingDir,
    Entrypoint: cfg.Entrypoint,
    OnBuild: null,
    Labels: cfg.Labels,
    ...(cfg.StopSignal ? { StopSignal: cfg.StopSignal } : {}),
    ...(cfg.StopTimeout !== undefined ? { StopTimeout: cfg.StopTimeout } : {}),
  };
}

/** Config.ExposedPorts (`{"80/tcp": {}}`), only when there are some, as Docker omits it. */
function exposedPorts(store: Store, c: ContainerRecord): { ExposedPorts?: Record<string, object> } {
  const exposed = (store.meta.networks.getNetworking(c.id)?.settings.exposed as string[] | undefined) ?? [];
  return exposed.length > 0 ? { ExposedPorts: Object.fromEntries(exposed.map((k) => [k, {}])) } : {};
}

/** HostConfig's networking part, in Docker's shape (PortBindings keyed `80/tcp`). */
function networkHostConfig(store: Store, c: ContainerRecord) {
  const settings = store.meta.networks.getNetworking(c.id)?.settings as
    | {
        ports?: {
          containerPort: number;
          protocol: string;
          hostIp: string;
          hostPort: number;
          hostPortEnd?: number;
        }[];
        publishAll?: boolean;
        dns?: string[];
        dnsSearch?: string[];
        dnsOptions?: string[];
        extraHosts?: string[];
      }
    | undefined;
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const b of settings?.ports ?? []) {
    const key = `${b.containerPort}/${b.protocol}`;
    const port =
      b.hostPort === 0 ? "" : b.hostPortEnd ? `${b.hostPort}-${b.hostPortEnd}` : String(b.hostPort);
    const list = bindings[key] ?? [];
    list.push({ HostIp: b.hostIp, HostPort: port });
    bindings[key] = list;
  }
  return {
    PortBindings: bindings,
    PublishAllPorts: settings?.publishAll ?? false,
    Dns: settings?.dns ?? [],
    DnsOptions: settings?.dnsOptions ?? [],
    DnsSearch: settings?.dnsSearch ?? [],
    // Stored as hosts-file lines; Docker shows `name:ip`.
    ExtraHosts: (settings?.extraHosts ?? []).map((l) => {
      const [ip, name] = l.split("\t");
      return `${name}:${ip}`;
    }),
  };
}

export async function inspectContainer(
  store: Store,
  c: ContainerRecord,
  opts: { size?: boolean },
): Promise<ContainerInspect> {
  const cfg = c.config;
  const [path, ...args] = processArgs(cfg);
  const dir = runtimeDir(store.root, c.id);
  const host = inspectHostMounts(cfg.Mounts);
  const out: ContainerInspect = {
    Id: c.id,
    Created: c.createdAt,
    Path: path ?? "",
    Args: args,
    State: state(store, c),
    Image: c.imageId,
    ResolvConfPath: join(dir, "resolv.conf"),
    HostnamePath: join(dir, "hostname"),
    HostsPath: join(dir, "hosts"),
    LogPath: containerFiles(dir).log,
    Name: `/${c.name}`,
    RestartCount: store.meta.restarts.get(c.id).restartCount,
    Driver: "overlay2",
    Platform: "linux",
    MountLabel: "",
    ProcessLabel: "",
    AppArmorProfile: "",
    ExecIDs: null,
    HostConfig: {
      Binds: host.Binds,
      NetworkMode: cfg.NetworkMode,
      ...networkHostConfig(store, c),
      AutoRemove: cfg.AutoRemove,
      RestartPolicy: cfg.RestartPolicy ?? { Name: "no", MaximumRetryCount: 0 },
      ...inspectHostOptions(hostOptionsOf(cfg)),
      ...(host.Mounts ? { Mounts: host.Mounts } : {}),
      ...(host.Tmpfs ? { Tmpfs: host.Tmpfs } : {}),
    },
    GraphDriver: graphDriver(store, c),
  };
  if (opts.size) {
    const { sizeRw, sizeRootFs } = containerSizes(store, c);
    out.SizeRw = sizeRw;
    out.SizeRootFs = sizeRootFs;
  }
  out.Mounts = inspectMounts(store.root, cfg.Mounts);
  out.Config = config(c, cfg, host.Volumes, store);
  const { containerNetworkSettings } = await import("../network/index.ts");
  out.NetworkSettings = containerNetworkSettings(store, c, cfg.NetworkMode);
  return out;
}
