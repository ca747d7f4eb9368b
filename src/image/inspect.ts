/**
 * `image inspect` data in the shape of Docker's API (types.ImageInspect as the
 * 20.10 daemon returns it), built from the stored config bytes and records.
 */
import type { Digest } from "../digest/index.ts";
import type { ImageRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";
import { type HistoryEntry, parseConfig } from "./config.ts";
import { familiarRef } from "./lookup.ts";

type Json = Record<string, unknown>;

/** Docker's container.Config with every non-omitempty field present, in Go's field order. */
export function containerConfig(c: Json | undefined | null): Json {
  const v = c ?? {};
  const out: Json = {
    Hostname: v.Hostname ?? "",
    Domainname: v.Domainname ?? "",
    User: v.User ?? "",
    AttachStdin: v.AttachStdin ?? false,
    AttachStdout: v.AttachStdout ?? false,
    AttachStderr: v.AttachStderr ?? false,
  };
  if (v.ExposedPorts) out.ExposedPorts = v.ExposedPorts;
  Object.assign(out, {
    Tty: v.Tty ?? false,
    OpenStdin: v.OpenStdin ?? false,
    StdinOnce: v.StdinOnce ?? false,
    Env: v.Env ?? null,
    Cmd: v.Cmd ?? null,
  });
  if (v.Healthcheck) out.Healthcheck = v.Healthcheck;
  if (v.ArgsEscaped) out.ArgsEscaped = v.ArgsEscaped;
  Object.assign(out, {
    Image: v.Image ?? "",
    Volumes: v.Volumes ?? null,
    WorkingDir: v.WorkingDir ?? "",
    Entrypoint: v.Entrypoint ?? null,
    OnBuild: v.OnBuild ?? null,
    Labels: v.Labels ?? null,
  });
  if (v.StopSignal) out.StopSignal = v.StopSignal;
  if (v.Shell) out.Shell = v.Shell;
  return out;
}

export interface InspectContext {
  store: Store;
}

export function inspectImage(store: Store, image: ImageRecord): Json {
  const config = parseConfig(store.content.read(image.id));
  const raw = config.raw;
  const refs = store.meta.images.refsOf(image.id);
  const lastComment = [...config.history].reverse().find((h: HistoryEntry) => h.comment)?.comment;
  const out: Json = {
    Id: image.id,
    RepoTags: refs.filter((r) => r.kind === "tag").map((r) => familiarRef(r.name)),
    RepoDigests: refs.filter((r) => r.kind === "digest").map((r) => familiarRef(r.name)),
    Parent: store.meta.parents.parentOf(image.id) ?? "",
    Comment: (raw.comment as string | undefined) ?? lastComment ?? "",
    Created: image.created ?? "0001-01-01T00:00:00Z",
    Container: (raw.container as string | undefined) ?? "",
    ContainerConfig: containerConfig(raw.container_config as Json | undefined),
    DockerVersion: (raw.docker_version as string | undefined) ?? "",
    Author: (raw.author as string | undefined) ?? "",
    Config: containerConfig(raw.config as Json | undefined),
    Architecture: image.architecture ?? "",
  };
  if (image.variant) out.Variant = image.variant;
  Object.assign(out, {
    Os: image.os ?? "",
    Size: image.size,
    VirtualSize: image.size,
    GraphDriver: graphDriver(store, image.chain),
    RootFS: { Type: "layers", Layers: config.diffIds },
    Metadata: { LastTagTime: image.lastTagTime ?? "0001-01-01T00:00:00Z" },
  });
  return out;
}

/** Where the layers live, as overlay2 reports it: the top layer as UpperDir, the rest as LowerDir. */
function graphDriver(store: Store, chain: Digest[]): Json {
  const data: Json = {};
  if (chain.length > 0) {
    const top = chain[chain.length - 1];
    const lowers = chain.slice(0, -1).reverse();
    if (lowers.length > 0) data.LowerDir = lowers.map((c) => store.layers.diffDir(c)).join(":");
    const dir = store.layers.dir(top);
    Object.assign(data, { MergedDir: `${dir}/merged`, UpperDir: `${dir}/diff`, WorkDir: `${dir}/work` });
  }
  return { Data: data, Name: "overlay2" };
}
