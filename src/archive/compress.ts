/**
 * gzip for pushes, as a stream. Debian's `igzip` (ISA-L, ~15× zlib here) or
 * `pigz` (all cores) when installed, Node's zlib otherwise; always without a
 * name or timestamp, so the same tar gives the same bytes on the next run
 * with the same tool (a restarted upload sends what the first one began).
 */
import { existsSync } from "node:fs";
import { PassThrough, type Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { StrataError } from "../errors.ts";
import { childProcess } from "../sys/builtins.ts";

export interface Compressed {
  /** The gzip bytes. Fails with COMPRESS_FAILED when the compressor does. */
  output: Readable;
  /** Which compressor ran: recorded nowhere, but shown in errors and benches. */
  tool: "igzip" | "pigz" | "zlib";
}

const IGZIP = "/usr/bin/igzip";
const PIGZ = "/usr/bin/pigz";

function tool(): Compressed["tool"] {
  const wanted = process.env.STRATA_GZIP;
  if (wanted === "zlib") return "zlib";
  if (wanted !== "pigz" && existsSync(IGZIP)) return "igzip";
  if (existsSync(PIGZ)) return "pigz";
  return "zlib";
}

function viaProcess(cmd: string, args: string[], input: Readable): Readable {
  const child = childProcess().spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
  const output = new PassThrough();
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  input.on("error", (err) => {
    child.kill("SIGKILL");
    output.destroy(err);
  });
  child.stdin.on("error", () => {}); // an early exit shows up as the exit status
  input.pipe(child.stdin);
  child.stdout.pipe(output, { end: false });
  child.on("error", (cause) =>
    output.destroy(new StrataError("COMPRESS_FAILED", `cannot run ${cmd}`, { cause })),
  );
  child.on("close", (code, signal) => {
    if (code === 0) output.end();
    else if (!output.destroyed) {
      const why = stderr.trim().split("\n").pop() || `exit ${code ?? signal}`;
      output.destroy(new StrataError("COMPRESS_FAILED", `${cmd} failed: ${why}`));
    }
  });
  // The reader went away (an aborted upload): stop compressing.
  output.on("close", () => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  return output;
}

/** gzip of `input`. */
export function gzipStream(input: Readable): Compressed {
  const t = tool();
  if (t === "igzip") return { tool: t, output: viaProcess(IGZIP, ["-c", "-1", "-n"], input) };
  if (t === "pigz") return { tool: t, output: viaProcess(PIGZ, ["-c", "-n", "-6"], input) };
  const gz = createGzip({ level: 6 });
  input.on("error", (err) => gz.destroy(err));
  return { tool: t, output: input.pipe(gz) };
}
