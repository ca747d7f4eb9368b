import type { Engine } from "../engine.ts";
import type { Io } from "./io.ts";

/** What every command gets: the engine (opened on first use) and where to write. */
export interface CommandContext {
  engine(): Promise<Engine>;
  io: Io;
}

/** A command's outcome; main.ts exits with it. */
export interface CommandResult {
  exitCode: number;
}

export const ok: CommandResult = { exitCode: 0 };
