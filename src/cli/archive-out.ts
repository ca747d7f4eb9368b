/**
 * Where `save`, `export` and `cp … -` write their tar: a file (`-o`) or
 * stdout, never a terminal (Docker's refusal), and a reader that closed the
 * pipe early (`| head`) is not an error.
 */
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { StrataError } from "../errors.ts";

export function refuseTerminal(output: string | undefined): void {
  if (!output && process.stdout.isTTY) {
    throw new StrataError(
      "INVALID_ARGUMENT",
      "cowardly refusing to save to a terminal. Use the -o flag or redirect",
    );
  }
}

export async function writeArchive(stream: NodeJS.ReadableStream, output?: string): Promise<void> {
  if (output) return pipeline(stream, createWriteStream(output));
  try {
    await pipeline(stream, process.stdout);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPIPE") throw err;
  }
}
