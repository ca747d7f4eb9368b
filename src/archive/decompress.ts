/**
 * Decompression as a stream of chunks, with the compressed bytes hashed on the
 * way in. gzip is inflated in-process with ISA-L (inflate.ts: 3–4× zlib here,
 * the library behind igzip, which Docker's unpigz plays the part of), which
 * also hashes the tar. zstd needs the `zstd` tool (Node 20's zlib has none).
 */
import { existsSync } from "node:fs";
import type { Readable } from "node:stream";
import type { Digest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { childProcess } from "../sys/builtins.ts";
import type { ChunkPool } from "./chunk-pool.ts";
import { inflate } from "./inflate.ts";
import { PoolHash } from "./pool-hash.ts";

export type Compression = "gzip" | "zstd" | "none";

export interface Decompressed {
  chunks: AsyncIterator<Buffer>;
  /** Resolves after the input is fully read: its digest and size. */
  input: Promise<{ digest: Digest; size: number }>;
  /** Resolves when the decompressor has exited cleanly (rejects with CORRUPT_LAYER otherwise). */
  finished: Promise<void>;
  /** Where `chunks` come from when they are reused: whoever keeps a view past the reader holds it. */
  pool?: ChunkPool;
  /** The decompressed bytes' digest, when the decompressor computes it (once `finished` resolved). */
  outputDigest?: () => Digest;
  abort(): void;
}

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

export function decompress(
  input: Readable,
  compression: Compression,
  onBytes?: (n: number) => void,
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
  // The inflater hears of the input's failure itself, and reports it.
  const inflated = inflate(input);
  const inputDone = hashInput(input, onBytes, () => {});
  return {
    chunks: inflated.chunks,
    pool: inflated.pool,
    input: inputDone,
    finished: inflated.finished,
    outputDigest: inflated.digest,
    abort: inflated.abort,
  };
}
