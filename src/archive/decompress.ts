/**
 * Decompression as a stream of chunks, with the compressed bytes hashed on the
 * way in. gzip goes through Debian's `igzip` (ISA-L, 3–4× zlib here) when it
 * is installed, as Docker shells out to unpigz; zlib otherwise. zstd needs
 * the `zstd` tool (Node 20's zlib has none).
 */
import { existsSync } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { Digest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { childProcess } from "../sys/builtins.ts";
import { PoolHash } from "./pool-hash.ts";

export type Compression = "gzip" | "zstd" | "none";

export interface Decompressed {
  chunks: AsyncIterator<Buffer>;
  /** Resolves after the input is fully read: its digest and size. */
  input: Promise<{ digest: Digest; size: number }>;
  /** Resolves when the decompressor has exited cleanly (rejects with CORRUPT_LAYER otherwise). */
  finished: Promise<void>;
  abort(): void;
}

const IGZIP = "/usr/bin/igzip";
const ZSTD = "/usr/bin/zstd";

/**
 * Hashes the input as it flows. If the input fails (a registry connection
 * dropped mid-blob), `onError` stops the decompressor, and the input's
 * error is the one the pull reports: `input` rejects with it, and it is
 * never left unhandled while the tar reader is still busy.
 */
function hashInput(
  input: Readable,
  onBytes: ((n: number) => void) | undefined,
  onError: (err: Error) => void,
) {
  const hash = new PoolHash();
  let size = 0;
  input.on("data", (c: Buffer) => {
    // Hashed on the pool; when the hasher falls behind, the input waits for it.
    const behind = hash.update(c);
    if (behind) {
      input.pause();
      behind.then(() => input.resume());
    }
    size += c.length;
    onBytes?.(size);
  });
  const done = new Promise<{ digest: Digest; size: number }>((resolve, reject) => {
    input.on("end", () => hash.digest().then((digest) => resolve({ digest, size }), reject));
    input.on("error", (err) => {
      reject(err);
      onError(err);
    });
  });
  done.catch(() => {}); // awaited only after the tar is read; its failure surfaces through `finished`
  return done;
}

function viaProcess(cmd: string, input: Readable, onBytes?: (n: number) => void): Decompressed {
  const child = childProcess().spawn(cmd, ["-dc"], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  let inputError: Error | undefined;
  const inputDone = hashInput(input, onBytes, (err) => {
    inputError = err;
    child.kill("SIGKILL");
  });
  input.pipe(child.stdin);
  child.stdin.on("error", () => {}); // an early exit shows up as the exit status
  const finished = new Promise<void>((resolve, reject) => {
    child.on("error", (cause) => reject(new StrataError("CORRUPT_LAYER", `cannot run ${cmd}`, { cause })));
    child.on("close", (code, signal) => {
      if (inputError) reject(inputError);
      else if (code === 0) resolve();
      else {
        const why = stderr.trim().split("\n").pop() || `exit ${code ?? signal}`;
        reject(new StrataError("CORRUPT_LAYER", `layer does not decompress: ${why}`));
      }
    });
  });
  finished.catch(() => {});
  return {
    chunks: child.stdout[Symbol.asyncIterator](),
    input: inputDone,
    finished,
    abort: () => {
      input.unpipe(child.stdin);
      child.kill("SIGKILL");
    },
  };
}

/** Below this many compressed bytes, zlib in-process costs less than starting igzip. */
const SMALL_BLOB = 256 << 10;

export function decompress(
  input: Readable,
  compression: Compression,
  onBytes?: (n: number) => void,
  /** The blob's size when known (a pull knows it from the manifest). */
  sizeHint?: number,
): Decompressed {
  if (compression === "none") {
    // The tar reader reads `input` itself: its failure reaches the reader directly.
    const inputDone = hashInput(input, onBytes, () => {});
    return {
      chunks: input[Symbol.asyncIterator](),
      input: inputDone,
      finished: Promise.resolve(),
      abort: () => input.destroy(),
    };
  }
  if (compression === "zstd") {
    if (!existsSync(ZSTD)) {
      throw new StrataError("UNSUPPORTED_MEDIA_TYPE", "zstd layers need the zstd tool", {
        hint: "apt-get install zstd",
      });
    }
    return viaProcess(ZSTD, input, onBytes);
  }
  const small = sizeHint !== undefined && sizeHint >= 0 && sizeHint < SMALL_BLOB;
  if (!small && existsSync(IGZIP) && process.env.STRATA_NO_IGZIP !== "1")
    return viaProcess(IGZIP, input, onBytes);
  const gunzip = createGunzip();
  let inputError: Error | undefined;
  const inputDone = hashInput(input, onBytes, (err) => {
    inputError = err;
    gunzip.destroy(err);
  });
  const finished = new Promise<void>((resolve, reject) => {
    gunzip.on("end", resolve);
    gunzip.on("error", (cause) =>
      reject(
        inputError ??
          new StrataError("CORRUPT_LAYER", `layer does not decompress: ${cause.message}`, { cause }),
      ),
    );
  });
  finished.catch(() => {});
  input.pipe(gunzip);
  return {
    chunks: gunzip[Symbol.asyncIterator](),
    input: inputDone,
    finished,
    abort: () => gunzip.destroy(),
  };
}
