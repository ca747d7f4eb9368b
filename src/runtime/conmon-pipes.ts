/**
 * conmon's parent protocol (conmon src/conmon.c, parent_pipe_fd.c; how Podman
 * drives it in libpod/oci_conmon_common.go). conmon finds its pipes through
 * environment variables naming inherited fds:
 *   _OCI_SYNCPIPE   conmon → parent, newline-terminated JSON: `{"data": N}`
 *                   or `{"data": -1, "message": "runtime's stderr"}`. With
 *                   --api-version 1, N is first the container's pid; for an
 *                   exec session a second message carries the exit code.
 *   _OCI_STARTPIPE  parent → conmon; conmon blocks reading it before it forks
 *                   (so a parent could move it to a cgroup) and, for an exec
 *                   session with --exec-attach, once more before it runs the
 *                   runtime, so the parent can attach first.
 *   _OCI_ATTACHPIPE conmon → parent: `{"data": 0}` once the attach socket of
 *                   an exec session listens.
 * conmon forks and its first process exits 0 at once; the fork keeps the
 * pipes. Node's "pipe" stdio entries are socketpairs, which conmon reads and
 * writes as it would Podman's.
 */
import type { ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { StrataError } from "../errors.ts";
import { childProcess } from "../sys/builtins.ts";

export interface SyncMessage {
  data: number;
  message?: string;
}

/** Newline-delimited JSON messages read from one of conmon's pipes. */
export class MessagePipe {
  private buffered = "";
  private queue: SyncMessage[] = [];
  private waiters: { resolve: (m: SyncMessage | null) => void; reject: (e: Error) => void }[] = [];
  private ended = false;

  constructor(private readonly stream: Readable) {
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => this.push(chunk));
    stream.on("end", () => this.finish());
    stream.on("close", () => this.finish());
    stream.on("error", () => this.finish());
  }

  private push(chunk: string): void {
    this.buffered += chunk;
    let nl = this.buffered.indexOf("\n");
    while (nl >= 0) {
      const line = this.buffered.slice(0, nl).trim();
      this.buffered = this.buffered.slice(nl + 1);
      if (line !== "") {
        try {
          this.deliver(JSON.parse(line) as SyncMessage);
        } catch {
          this.deliver({ data: -1, message: `conmon sent an unreadable message: ${line}` });
        }
      }
      nl = this.buffered.indexOf("\n");
    }
  }

  private deliver(m: SyncMessage): void {
    const w = this.waiters.shift();
    if (w) w.resolve(m);
    else this.queue.push(m);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    for (const w of this.waiters.splice(0)) w.resolve(null);
  }

  /** The next message; null when conmon closed the pipe first. `timeoutMs` may be Infinity. */
  next(timeoutMs: number, what: string): Promise<SyncMessage | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (m: SyncMessage | null) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject,
      };
      // No timer for an unbounded wait (setTimeout would treat Infinity as 1 ms).
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            reject(
              new StrataError(
                "RUNTIME_ERROR",
                `timed out after ${timeoutMs / 1000}s waiting for conmon (${what})`,
              ),
            );
          }, timeoutMs)
        : undefined;
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.stream.destroy();
    this.finish();
  }
}

export interface ConmonProcess {
  child: ChildProcess;
  sync: MessagePipe;
  /** Present when started with a start pipe. */
  start?: Writable;
  /** Present when started with an attach pipe (exec sessions with --exec-attach). */
  attach?: MessagePipe;
  /** Resolves once the first conmon process exited (it forks and leaves at once). */
  launched: Promise<void>;
  /** Everything conmon wrote on stderr before it detached. */
  stderr(): string;
  /** Closes the pipes (conmon keeps running); call when done with the protocol. */
  release(): void;
}

export function spawnConmon(
  conmon: string,
  args: string[],
  opts: { startPipe: boolean; attachPipe: boolean; extraFds?: number[] },
): ConmonProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, _OCI_SYNCPIPE: "3" };
  // A systemd notify socket must not leak into the container's monitor.
  delete env.NOTIFY_SOCKET;
  const stdio: ("ignore" | "pipe" | number)[] = ["ignore", "ignore", "pipe", "pipe"];
  if (opts.startPipe) {
    env._OCI_STARTPIPE = String(stdio.length);
    stdio.push("pipe");
  }
  if (opts.attachPipe) {
    env._OCI_ATTACHPIPE = String(stdio.length);
    stdio.push("pipe");
  }
  // Descriptors conmon only holds for the container's life (sockets of published ports).
  const firstExtra = stdio.length;
  stdio.push(...(opts.extraFds ?? []));
  // detached: conmon must not share the CLI's process group (a Ctrl-C at the terminal is not for it).
  const child = childProcess().spawn(conmon, args, { stdio, env, detached: true });
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (d: string) => {
    stderr += d;
  });
  const sync = new MessagePipe(child.stdio[3] as Readable);
  const start = opts.startPipe ? (child.stdio[4] as Writable) : undefined;
  const attach = opts.attachPipe ? new MessagePipe(child.stdio[firstExtra - 1] as Readable) : undefined;
  start?.on("error", () => {});
  const launched = new Promise<void>((resolve, reject) => {
    child.on("error", (cause) => reject(new StrataError("RUNTIME_ERROR", `cannot run ${conmon}`, { cause })));
    child.on("exit", (code, signal) => {
      if (code === 0) resolve();
      else {
        const why = signal ? `was killed by ${signal}` : `exited with status ${code}`;
        reject(new StrataError("RUNTIME_ERROR", `conmon ${why}: ${stderr.trim()}`));
      }
    });
  });
  launched.catch(() => {});
  return {
    child,
    sync,
    start,
    attach,
    launched,
    stderr: () => stderr,
    release() {
      sync.close();
      attach?.close();
      start?.destroy();
      child.stderr?.destroy();
      child.unref();
    },
  };
}
