/**
 * Docker's detach keys (moby/term ToBytes and EscapeProxy): a comma-separated
 * key list ("ctrl-p,ctrl-q" by default) that, typed in sequence on an
 * attached stdin, detaches without stopping the container. Bytes that start
 * the sequence are held back until it is clear whether it completes.
 */
import { StrataError } from "../errors.ts";

export const DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q";

const CTRL_SPECIAL: Record<string, number> = { "@": 0, "[": 27, "\\": 28, "]": 29, "^": 30, _: 31 };

export function parseDetachKeys(keys: string): Buffer {
  const codes: number[] = [];
  for (const key of keys.split(",")) {
    if (key.length === 1) {
      codes.push(key.charCodeAt(0));
      continue;
    }
    const m = /^ctrl-(.)$/.exec(key);
    const c = m?.[1];
    if (c !== undefined && c >= "a" && c <= "z") codes.push(c.charCodeAt(0) - 96);
    else if (c !== undefined && c in CTRL_SPECIAL) codes.push(CTRL_SPECIAL[c] as number);
    else if (key.startsWith("ctrl-"))
      throw new StrataError("INVALID_ARGUMENT", `Unknown character: '${key}'`);
    else throw new StrataError("INVALID_ARGUMENT", `Unknown key: '${key}'`);
  }
  return Buffer.from(codes);
}

/**
 * Like Docker's EscapeProxy, only a read of exactly one byte can be part of
 * the sequence: keys typed at a terminal arrive one per read, while the same
 * bytes inside piped or pasted input pass through untouched.
 */
export class DetachMatcher {
  private held = 0;

  constructor(private readonly keys: Buffer) {}

  /** What to pass on from `chunk`, and whether the sequence just completed. */
  feed(chunk: Buffer): { data: Buffer; detached: boolean } {
    const pass = (data: Buffer) => {
      // Not the sequence after all: what was held back goes through first.
      const out = this.held > 0 ? Buffer.concat([this.keys.subarray(0, this.held), data]) : data;
      this.held = 0;
      return { data: out, detached: false };
    };
    if (this.keys.length === 0 || chunk.length !== 1 || chunk[0] !== this.keys[this.held]) return pass(chunk);
    if (this.held === this.keys.length - 1) {
      this.held = 0;
      return { data: Buffer.alloc(0), detached: true };
    }
    this.held++;
    return { data: Buffer.alloc(0), detached: false };
  }
}
