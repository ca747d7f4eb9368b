/**
 * The Ryuk stand-in image for testcontainers (the testcontainers/ryuk image
 * cannot be pulled here): ryuk/ryuk.c compiled static with the host's gcc,
 * alone in one layer, labelled as the real image is (testcontainers finds a
 * running reaper by `org.testcontainers.ryuk=true`), pushed to a test registry.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { RegistryClient } from "../../src/registry/index.ts";
import { pushImage, scratchDir, tarDirectory } from "./fixtures-image.ts";

const SOURCE = join(import.meta.dirname, "ryuk", "ryuk.c");

/** Builds and pushes `<host>/ryuk-standin:1`; its reference. */
export async function pushRyukStandIn(client: RegistryClient, host: string): Promise<string> {
  const dir = scratchDir("strata-ryuk-");
  try {
    execFileSync("gcc", ["-static", "-O2", "-o", join(dir, "ryuk"), SOURCE]);
    // /var/run is where testcontainers mounts the socket; /etc for the runtime's hostname file.
    for (const d of ["var/run", "etc"]) mkdirSync(join(dir, d), { recursive: true, mode: 0o755 });
    chmodSync(join(dir, "ryuk"), 0o755);
    const ref = `${host}/ryuk-standin:1`;
    await pushImage(client, ref, {
      layers: [{ tar: tarDirectory(dir) }],
      config: {
        config: {
          Cmd: ["/ryuk"],
          ExposedPorts: { "8080/tcp": {} },
          Labels: { "org.testcontainers.ryuk": "true" },
        },
      },
    });
    return ref;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
