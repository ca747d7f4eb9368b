/**
 * Docker's container create body (Config + HostConfig) as strata's
 * CreateOptions. Fields strata cannot honour yet are refused with a 400
 * naming them, never silently dropped; fields at their zero value are fine
 * (every client sends dozens of them).
 */

import { DEFAULT_HOST_OPTIONS } from "../container/host-config.ts";
import type { CreateOptions } from "../container/index.ts";
import { type MountRequest, parseMountFlag, parseTmpfsFlag, parseVolumeFlag } from "../volume/index.ts";
import { HttpError } from "./http.ts";
import { networkingOptions } from "./network-body.ts";

type Body = Record<string, unknown>;

const isEmpty = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  v === false ||
  v === 0 ||
  v === "" ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0);

/** HostConfig fields that would change what the container is or can do, not yet supported. */
const UNSUPPORTED_HOST = ["VolumesFrom", "Links"];

/** HostConfig fields the engine takes as they are (limits, capabilities, devices, init, seccomp…). */
function hostOptions(host: Body): CreateOptions["hostConfig"] {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(DEFAULT_HOST_OPTIONS)) {
    // Zero values mean "the default" in Docker's API (ShmSize 0 is 64 MB, Init false is unset).
    if (!isEmpty(host[key])) out[key] = host[key];
  }
  return out as CreateOptions["hostConfig"];
}

function strings(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  throw new HttpError(
    400,
    `json: cannot unmarshal ${typeof v} into Go struct field Config.${field} of type []string`,
  );
}

/** -v (Binds), --mount (Mounts), --tmpfs (Tmpfs) and Config.Volumes through the volume parsers the CLI uses. */
function mounts(body: Body, host: Body): MountRequest[] | undefined {
  const out: MountRequest[] = [];
  for (const bind of strings(host.Binds, "HostConfig.Binds") ?? []) {
    // The daemon has no working directory of the client's: relative sources are the client's to resolve.
    if (bind.startsWith(".")) throw new HttpError(400, `invalid volume specification: '${bind}'`);
    out.push(parseVolumeFlag(bind, "/"));
  }
  for (const m of (Array.isArray(host.Mounts) ? host.Mounts : []) as Body[]) {
    const fields = [`type=${String(m.Type ?? "volume")}`];
    if (m.Source) fields.push(`source=${String(m.Source)}`);
    if (m.Target) fields.push(`target=${String(m.Target)}`);
    if (m.ReadOnly === true) fields.push("readonly");
    if ((m.VolumeOptions as Body | undefined)?.NoCopy === true) fields.push("volume-nocopy");
    const tmpfs = (m.TmpfsOptions ?? {}) as Body;
    if (typeof tmpfs.SizeBytes === "number" && tmpfs.SizeBytes > 0)
      fields.push(`tmpfs-size=${tmpfs.SizeBytes}`);
    if (typeof tmpfs.Mode === "number" && tmpfs.Mode > 0) fields.push(`tmpfs-mode=${tmpfs.Mode.toString(8)}`);
    out.push(parseMountFlag(fields.join(",")));
  }
  for (const [target, options] of Object.entries((host.Tmpfs ?? {}) as Record<string, string>)) {
    out.push(parseTmpfsFlag(options ? `${target}:${options}` : target));
  }
  for (const target of Object.keys((body.Volumes ?? {}) as Body)) out.push(parseVolumeFlag(target, "/"));
  return out.length > 0 ? out : undefined;
}

function labels(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw new HttpError(400, "Config.Labels must be an object");
  return Object.fromEntries(Object.entries(v as Body).map(([k, x]) => [k, String(x)]));
}

export function createOptions(body: Body, name: string | undefined): CreateOptions {
  const image = body.Image;
  if (typeof image !== "string" || image === "") throw new HttpError(400, "No image was specified");
  const host = (body.HostConfig ?? {}) as Body;
  for (const f of UNSUPPORTED_HOST) {
    if (!isEmpty(host[f])) throw new HttpError(400, `strata does not support HostConfig.${f} yet`);
  }
  const restart = (host.RestartPolicy ?? {}) as { Name?: string; MaximumRetryCount?: number };
  const entrypoint = strings(body.Entrypoint, "Entrypoint");
  const cmd = strings(body.Cmd, "Cmd");
  return {
    image,
    name: name || undefined,
    cmd: cmd && cmd.length > 0 ? cmd : undefined,
    // [""] (the CLI's `--entrypoint ""`) and [] both clear the image's entrypoint.
    entrypoint:
      entrypoint === undefined
        ? undefined
        : entrypoint.filter((e) => e !== "").length === 0
          ? []
          : entrypoint,
    env: strings(body.Env, "Env"),
    workdir: typeof body.WorkingDir === "string" && body.WorkingDir ? body.WorkingDir : undefined,
    user: typeof body.User === "string" && body.User ? body.User : undefined,
    hostname: typeof body.Hostname === "string" && body.Hostname ? body.Hostname : undefined,
    tty: body.Tty === true,
    openStdin: body.OpenStdin === true,
    ...networkingOptions(body, host),
    autoRemove: host.AutoRemove === true,
    restartPolicy: { Name: restart.Name, MaximumRetryCount: restart.MaximumRetryCount },
    labels: labels(body.Labels),
    hostConfig: hostOptions(host),
    mounts: mounts(body, host),
    // `run -d` attaches nothing, and Docker records the container as detached.
    detach: body.AttachStdin !== true && body.AttachStdout !== true && body.AttachStderr !== true,
    stopSignal: typeof body.StopSignal === "string" && body.StopSignal ? body.StopSignal : undefined,
    stopTimeout: typeof body.StopTimeout === "number" ? body.StopTimeout : undefined,
    // The API never pulls on create: a missing image is a 404 and the client pulls (as the docker CLI does).
    pull: "never",
  };
}
