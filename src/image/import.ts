/**
 * `import`: a root file system tarball (plain, gzip or zstd) becomes a
 * one-layer image, as `docker import` makes it; no registry involved.
 */
import type { Readable } from "node:stream";
import type { Digest } from "../digest/index.ts";
import { rfc3339Nano } from "../format/time.ts";
import { FileLock } from "../metadata/index.ts";
import { hostPlatform } from "../oci/index.ts";
import { parseReference } from "../reference/index.ts";
import type { Store } from "../store/index.ts";
import { parseConfig } from "./config.ts";
import { ingestLocal } from "./ingest.ts";
import { recordImage } from "./record.ts";

export interface ImportOptions {
  reference?: string;
  /** Docker's `--message`: the history comment (default `Imported from -`). */
  message?: string;
  source?: string;
}

export async function importImage(store: Store, input: Readable, opts: ImportOptions = {}): Promise<Digest> {
  const ref = opts.reference ? parseReference(opts.reference) : undefined;
  const gcLock = new FileLock(store.gcLockPath);
  await gcLock.acquire("shared");
  try {
    const layer = await ingestLocal(store, input, null);
    const created = rfc3339Nano({ at: new Date() });
    const platform = hostPlatform();
    const comment = opts.message ?? `Imported from ${opts.source ?? "-"}`;
    const bytes = Buffer.from(
      JSON.stringify({
        architecture: platform.architecture,
        comment,
        config: {},
        created,
        history: [{ created, comment }],
        os: platform.os,
        rootfs: { type: "layers", diff_ids: [layer.diffId] },
      }),
    );
    const imageId = store.content.write(bytes);
    const config = parseConfig(bytes);
    const image = {
      imageId,
      config,
      chain: [layer.chainId],
      manifestDigest: null,
      manifestMediaType: null,
      topDigest: null,
    };
    recordImage(store, ref, image);
    return imageId;
  } finally {
    gcLock.release();
  }
}
