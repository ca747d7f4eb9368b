/** Where a command writes. Tests pass their own; main.ts passes the process's. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stdout is a terminal: draw live progress instead of state lines. */
  readonly isTTY: boolean;
  readonly columns: number;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  get isTTY() {
    return process.stdout.isTTY === true;
  },
  get columns() {
    return process.stdout.columns ?? 80;
  },
};
