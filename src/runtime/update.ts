/**
 * `update` of a running container's cgroup limits: the runtime's own
 * `update --resources FILE` (crun and runc take the OCI LinuxResources
 * document), which writes the v1 files or their v2 equivalents.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors.ts";
import type { OciCgroupResources } from "./oci-spec.ts";
import { type RuntimeOptions, runRuntime } from "./runtime-cli.ts";

export async function updateResources(
  id: string,
  resources: OciCgroupResources,
  dir: string,
  opts: RuntimeOptions = {},
): Promise<void> {
  const file = join(dir, "update-resources.json");
  writeFileSync(file, JSON.stringify(resources));
  try {
    const r = await runRuntime(["update", "--resources", file, id], opts);
    if (r.code !== 0) {
      const text = r.stderr.trim().replace(/^(crun|runc): /, "");
      throw new StrataError("RUNTIME_ERROR", `Cannot update container ${id}: ${text}`, {
        details: { runtimeMessage: text },
      });
    }
  } finally {
    rmSync(file, { force: true });
  }
}
