/** Where a container's runtime files live: a leaf module, so the service names it without loading the runtime. */
import { join } from "node:path";
import { containerLayer } from "../snapshot/index.ts";

/**
 * The container's runtime directory, as Podman's `userdata`: the bundle
 * (config.json), the /etc files, and conmon's attach socket, fifos, log and
 * exit code.
 */
export function bundleDir(root: string, id: string): string {
  return join(containerLayer(root, id).dir, "userdata");
}
