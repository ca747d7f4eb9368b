/**
 * Building images from a Dockerfile (BuildKit's Dockerfile frontend, in
 * strata's store): parser → instructions → stages → steps, with a
 * content-addressed cache. The only module imported from outside src/build.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { StrataError } from "../errors.ts";
import type { ImageService } from "../image/index.ts";
import type { Store } from "../store/index.ts";
import { childProcess, randomBytes } from "../sys/builtins.ts";
import { Builder, type BuildOptions, type BuildResult } from "./builder.ts";

export type { BuildOptions, BuildResult } from "./builder.ts";
export type { BuildCacheUsage, PruneCacheResult } from "./cache.ts";
export { buildCacheUsage, pruneBuildCache } from "./cache.ts";
export { applyChanges, checkChanges } from "./changes.ts";
export type { BuildEvent, BuildListener } from "./progress.ts";

/**
 * What `engine.images.build` takes: BuildOptions, except that the context may
 * also be a tar stream (the Engine API's POST /build body) and the Dockerfile
 * may be left to be read from the context (`dockerfileName`, default
 * `Dockerfile`).
 */
export type BuildRequest = Omit<BuildOptions, "context" | "dockerfile"> & {
  context: string | Readable | null;
  dockerfile?: string;
};

/** Unpacks a tar context into the store's tmp/ (removed after the build). */
async function unpackContext(store: Store, tar: Readable): Promise<string> {
  const dir = join(store.layers.tmpDir, `build-${process.pid}-ctx-${randomBytes(6).toString("hex")}`);
  mkdirSync(dir, { recursive: true });
  const child = childProcess().spawn("tar", ["-x", "-C", dir, "--no-same-owner", "-f", "-"], {
    stdio: ["pipe", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  tar.pipe(child.stdin as NodeJS.WritableStream);
  const code = await new Promise<number>((r) => child.on("close", (c) => r(c ?? 1)));
  if (code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new StrataError("INVALID_ARGUMENT", `failed to read the build context: ${stderr.trim()}`);
  }
  return dir;
}

function readDockerfile(context: string | null, name: string): string {
  if (context === null)
    throw new StrataError("INVALID_ARGUMENT", "no Dockerfile and no context to read it from");
  try {
    return readFileSync(join(context, name), "utf8");
  } catch {
    throw new StrataError(
      "INVALID_ARGUMENT",
      `failed to solve with frontend dockerfile.v0: failed to read dockerfile: open ${name}: no such file or directory`,
      { details: { build: true } },
    );
  }
}

export async function buildImage(
  store: Store,
  images: ImageService,
  req: BuildRequest,
): Promise<BuildResult> {
  const unpacked = req.context !== null && typeof req.context !== "string";
  const context = unpacked
    ? await unpackContext(store, req.context as Readable)
    : (req.context as string | null);
  try {
    const dockerfile = req.dockerfile ?? readDockerfile(context, req.dockerfileName ?? "Dockerfile");
    return await new Builder(store, images, { ...req, context, dockerfile }).build();
  } finally {
    if (unpacked && context) rmSync(context, { recursive: true, force: true });
  }
}
