/**
 * What strata keeps of Docker's Config/HostConfig for a container, as a zod
 * schema: the containers store parses the stored JSON once, when it reads a
 * row, so the rest of the engine gets a typed ContainerConfig and never casts.
 * A field added later must have a `.default()` (or be optional) so records
 * written before it still parse.
 *
 * zod is required on first use, not imported: loading it costs ~7 ms, which
 * every command that opens the store (`images`, `rmi`…) would otherwise pay.
 *
 * A row is parsed with zod when it is written; a row written under the
 * current CONFIG_VERSION is then read back with JSON.parse alone (zod costs
 * ~0.2 ms a row plus its loading: most of `ps` with 100 containers). Rows of
 * other versions (older records, missing later fields) still go through zod.
 */
import { createRequire } from "node:module";
import type * as Zod from "zod";

/** One mount of a container (volume/mounts.ts fills it from -v, --mount, --tmpfs and the image's VOLUMEs). */
function mount(z: typeof Zod.z) {
  return z.object({
    Type: z.enum(["bind", "volume", "tmpfs"]),
    /** Host path (bind); the volume's name (volume); "" (tmpfs). */
    Source: z.string(),
    Destination: z.string(),
    RW: z.boolean(),
    /** Docker's Mode text in inspect (`ro`, `z`, ""). */
    Mode: z.string(),
    Propagation: z.string(),
    /** volume: fill it with the image's content at Destination while it is empty. */
    CopyData: z.boolean(),
    /** A volume made for this container only: removed with `rm -v` and `run --rm`. */
    Anonymous: z.boolean(),
    /** tmpfs mount data. */
    Options: z.array(z.string()),
    /** `-v` creates a missing bind source, `--mount` refuses one. */
    CreateSource: z.boolean(),
    /** Which flag asked for it (HostConfig.Binds, Mounts, Tmpfs) or the image's VOLUME. */
    Origin: z.enum(["volume-flag", "mount-flag", "tmpfs-flag", "image"]),
    /** The flag's value as typed. */
    Spec: z.string(),
  });
}

function build(z: typeof Zod.z) {
  return z.object({
    Hostname: z.string(),
    User: z.string().default(""),
    Tty: z.boolean().default(false),
    OpenStdin: z.boolean().default(false),
    StdinOnce: z.boolean().default(false),
    /** Docker's CLI attaches stdout and stderr unless the container runs detached (`run -d`). */
    AttachStdin: z.boolean().optional(),
    AttachStdout: z.boolean().default(true),
    AttachStderr: z.boolean().default(true),
    Env: z.array(z.string()).default([]),
    Cmd: z.array(z.string()).nullable().default(null),
    Entrypoint: z.array(z.string()).nullable().default(null),
    WorkingDir: z.string().default(""),
    /** The image as the user named it. */
    Image: z.string(),
    Labels: z.record(z.string(), z.string()).default({}),
    /** `default` (the bridge), `none`, `host`, `bridge` or a network's name; records before networks said none. */
    NetworkMode: z.string().default("none"),
    AutoRemove: z.boolean().default(false),
    /** Docker's HostConfig.RestartPolicy (`run --restart`); records before it had none. */
    RestartPolicy: z
      .object({
        Name: z.enum(["no", "always", "on-failure", "unless-stopped"]),
        MaximumRetryCount: z.number().int(),
      })
      .default({ Name: "no", MaximumRetryCount: 0 }),
    Mounts: z.array(mount(z)).default([]),
    /** Docker's HostConfig fields strata applies (src/container/host-config.ts); absent in older records. */
    HostConfig: hostConfig(z).optional(),
    StopSignal: z.string().optional(),
    StopTimeout: z.number().int().optional(),
  });
}

/** Limits, capabilities, devices and security options, with Docker's names (0/null: not set). */
function hostConfig(z: typeof Zod.z) {
  const strings = z.array(z.string()).nullable().default(null);
  return z.object({
    Memory: z.number().default(0),
    MemorySwap: z.number().default(0),
    NanoCpus: z.number().default(0),
    CpuShares: z.number().default(0),
    CpusetCpus: z.string().default(""),
    PidsLimit: z.number().nullable().default(null),
    Ulimits: z
      .array(z.object({ Name: z.string(), Soft: z.number(), Hard: z.number() }))
      .nullable()
      .default(null),
    ShmSize: z.number().default(67108864),
    CapAdd: strings,
    CapDrop: strings,
    Privileged: z.boolean().default(false),
    ReadonlyRootfs: z.boolean().default(false),
    Devices: z
      .array(z.object({ PathOnHost: z.string(), PathInContainer: z.string(), CgroupPermissions: z.string() }))
      .default([]),
    GroupAdd: strings,
    Init: z.boolean().nullable().default(null),
    SecurityOpt: strings,
  });
}

export type ContainerConfig = Zod.z.infer<ReturnType<typeof build>>;

/**
 * The schema's version, stored beside each row it validated. Bump it with
 * every change to the schema above: test/metadata/container-config.test.ts
 * fails until the new shape has its own version.
 */
export const CONFIG_VERSION = 1;

let schema: ReturnType<typeof build> | undefined;

/**
 * Builds the schema from zod imported rather than required: in the CLI's
 * bundle that is zod's own chunk, compiled from its V8 code cache (~3 ms
 * here, against 10–25 ms to load zod from node_modules). `create` calls it
 * before it writes a config, so `run` pays the cheap load.
 */
export async function loadContainerConfigSchema(): Promise<void> {
  if (!schema) schema = build((await import("zod")).z);
}

export function containerConfigSchema(): ReturnType<typeof build> {
  if (!schema) {
    const { z } = createRequire(import.meta.filename)("zod") as typeof Zod;
    schema = build(z);
  }
  return schema;
}
