/**
 * Decompression as a stream of chunks, with the compressed bytes hashed on the
 * way in. gzip goes through Debian's `igzip` (ISA-L, 3–4× zlib here) when it
 * is installed, as Docker shells out to unpigz; zlib otherwise. zstd needs
 * the `zstd` tool (Node 20's zlib has none).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import type { Digest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";

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

function hashInput(input: Readable, onBytes?: (n: number) => void) {
  const hash = createHash("sha256");
  let size = 0;
  input.on("data", (c: Buffer) => {
    hash.update(c);
    size += c.length;
    onBytes?.(size);
  });
  return new Promise<{ digest: Digest; size: number }>((resolve, reject) => {
    input.on("end", () => resolve({ digest: `sha256:${hash.digest("hex")}` as Digest, size }));
    input.on("error", reject);
  });
}

function viaProcess(cmd: string, input: Readable, onBytes?: (n: number) => void): Decompressed {
  const child = spawn(cmd, ["-dc"], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const inputDone = hashInput(input, onBytes);
  input.pipe(child.stdin);
  child.stdin.on("error", () => {}); // an early exit shows up as the exit status
  const finished = new Promise<void>((resolve, reject) => {
    child.on("error", (cause) => reject(new StrataError("CORRUPT_LAYER", `cannot run ${cmd}`, { cause })));
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else {
        const why = stderr.trim().split("\n").pop() || `exit ${code ?? signal}`;
        reject(new StrataError("CORRUPT_LAYER", `layer does not decompress: ${why}`));
      }
    });
  });
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
    const inputDone = hashInput(input, onBytes);
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
  if (existsSync(IGZIP) && process.env.STRATA_NO_IGZIP !== "1") return viaProcess(IGZIP, input, onBytes);
  const gunzip = createGunzip();
  const inputDone = hashInput(input, onBytes);
  const finished = new Promise<void>((resolve, reject) => {
    gunzip.on("end", resolve);
    gunzip.on("error", (cause) =>
      reject(new StrataError("CORRUPT_LAYER", `layer does not decompress: ${cause.message}`, { cause })),
    );
  });
  input.pipe(gunzip);
  return {
    chunks: gunzip[Symbol.asyncIterator](),
    input: inputDone,
    finished,
    abort: () => gunzip.destroy(),
  };
}
