/**
 * Attaching to a container through conmon's attach socket: every packet
 * conmon sends starts with a stream byte (2 stdout, 3 stderr; a terminal's
 * output is all stdout), what strata sends is the container's raw stdin.
 * Attach before start to see all output. Detaching (Ctrl-P Ctrl-Q by
 * default) leaves the container running; the session also ends when the
 * container's output does (it exited).
 */
import type { Readable, Writable } from "node:stream";
import type { ReadStream, WriteStream } from "node:tty";
import { StrataError } from "../errors.ts";
import { DEFAULT_DETACH_KEYS, DetachMatcher, parseDetachKeys } from "./detach-keys.ts";
import { readExit } from "./exit.ts";
import { PacketSocket } from "./packet-socket.ts";
import { bundleFiles } from "./paths.ts";
import { readRecord } from "./record.ts";
import { resizeControl } from "./resize.ts";

const STDOUT = 2;
const STDERR = 3;

export interface AttachOptions {
  /** The container's input; omit to attach output only. */
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  /** Whether the container has a terminal. */
  tty: boolean;
  /** Docker's detach keys; "" disables detaching. Default "ctrl-p,ctrl-q". */
  detachKeys?: string;
  /** Put a terminal stdin in raw mode while attached (default: with tty, when stdin is a terminal). */
  rawMode?: boolean;
}

export interface AttachResult {
  /** The user typed the detach keys (or detach() was called): the container still runs. */
  detached: boolean;
}

export interface AttachSession {
  /** Settles when the container's output ends or on detach. */
  done: Promise<AttachResult>;
  /** Leave the container running and end the session. */
  detach(): void;
}

interface SessionPaths {
  attach: string;
  ctl: string;
}

function isTtyIn(s: Readable | undefined): s is ReadStream {
  return !!s && (s as ReadStream).isTTY === true && typeof (s as ReadStream).setRawMode === "function";
}

function isTtyOut(s: Writable | undefined): s is WriteStream {
  return !!s && (s as WriteStream).isTTY === true && typeof (s as WriteStream).getWindowSize === "function";
}

/** Attaches to a socket of conmon's (a container's or an exec session's). */
export function attachSocket(paths: SessionPaths, opts: AttachOptions): AttachSession {
  const matcher = new DetachMatcher(parseDetachKeys(opts.detachKeys ?? DEFAULT_DETACH_KEYS));
  let settle: (r: AttachResult) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const done = new Promise<AttachResult>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // A session abandoned after an error elsewhere must not become an unhandled rejection.
  done.catch(() => {});
  let finished = false;

  const stdin = opts.stdin;
  const raw = opts.rawMode ?? (opts.tty && isTtyIn(stdin));
  const wasRaw = isTtyIn(stdin) ? stdin.isRaw : false;
  const terminal = opts.tty && isTtyOut(opts.stdout) ? opts.stdout : undefined;

  const resize = () => {
    if (!terminal) return;
    const [columns, rows] = terminal.getWindowSize();
    try {
      resizeControl(paths.ctl, { rows, columns });
    } catch {}
  };

  // Output waits for a full writer: conmon then stops reading the container, which is the back-pressure wanted.
  const deliver = (stream: Writable | undefined, data: Buffer) => {
    if (!stream || data.length === 0) return;
    if (!stream.write(data)) {
      socket.pause();
      stream.once("drain", () => socket.resume());
    }
  };

  const onData = (chunk: Buffer | string) => {
    const { data, detached } = matcher.feed(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    if (data.length > 0 && !socket.write(data)) stdin?.pause();
    if (detached) finish(null, true);
  };
  const onEnd = () => socket.endInput();

  const cleanup = () => {
    if (stdin) {
      stdin.off("data", onData);
      stdin.off("end", onEnd);
      // Let the process exit: a stdin left flowing keeps it alive.
      stdin.pause();
      if (raw && isTtyIn(stdin)) stdin.setRawMode(wasRaw);
    }
    terminal?.off("resize", resize);
  };

  const flushed = (stream: Writable | undefined) =>
    new Promise<void>((resolve) => {
      if (!stream || stream.destroyed || stream.writableEnded) return resolve();
      stream.write(Buffer.alloc(0), () => resolve());
    });

  const finish = (err: Error | null, detached: boolean) => {
    if (finished) return;
    finished = true;
    socket.close();
    cleanup();
    if (err) {
      fail(err);
      return;
    }
    void Promise.all([flushed(opts.stdout), flushed(opts.stderr)]).then(() => settle({ detached }));
  };

  const socket = new PacketSocket(paths.attach, {
    packet(p) {
      const data = p.subarray(1);
      if (p[0] === STDOUT) deliver(opts.stdout, data);
      else if (p[0] === STDERR) deliver(opts.stderr, data);
    },
    end(err) {
      finish(
        err ? new StrataError("RUNTIME_ERROR", "the attach connection failed", { cause: err }) : null,
        false,
      );
    },
  });
  socket.onDrain = () => stdin?.resume();

  if (stdin) {
    if (raw && isTtyIn(stdin)) stdin.setRawMode(true);
    stdin.on("data", onData);
    stdin.on("end", onEnd);
    stdin.resume();
  }
  if (terminal) {
    resize();
    terminal.on("resize", resize);
  }
  return { done, detach: () => finish(null, true) };
}

/** Attaches to a container created with createContainer() in `containerDir`. */
export async function attach(containerDir: string, opts: AttachOptions): Promise<AttachSession> {
  const record = readRecord(containerDir);
  if (readExit(containerDir) !== null) {
    throw new StrataError("CONFLICT", "cannot attach to a stopped container, start it first");
  }
  return attachSocket(bundleFiles(record.bundleDir), opts);
}
