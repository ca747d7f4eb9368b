/**
 * A client for conmon's attach socket, which is SOCK_SEQPACKET: Node cannot
 * wrap that kind of socket, and a byte-stream bridge would lose the packet
 * boundaries that carry the stream byte. The addon connects and polls it on
 * the event loop (uv_poll: no thread, no thread-pool slot held while the
 * container is quiet); packets are read and written without ever blocking.
 */
import { closeSync, openSync } from "node:fs";
import { basename, dirname } from "node:path";
import { StrataError } from "../errors.ts";
import { type FdWatcher, native, SHUT_RDWR, SHUT_WR } from "../sys/index.ts";

/** conmon's STDIO_BUF_SIZE plus its stream byte. */
const MAX_PACKET = 8192 + 1;
/** conmon reads at most 32 KiB per packet; stay well under it. */
const MAX_SEND = 8192;
const SUN_PATH_MAX = 107;

export interface PacketHandlers {
  packet(data: Buffer): void;
  /** The peer closed (conmon: the container's output ended), or the socket failed. */
  end(error?: Error): void;
}

function connect(path: string): number {
  try {
    if (Buffer.byteLength(path) <= SUN_PATH_MAX) return native().seqpacketConnect(path);
    // Too long for sockaddr_un: reach it through the directory's /proc/self/fd entry, as conmon binds it.
    const dir = openSync(dirname(path), "r");
    try {
      return native().seqpacketConnect(`/proc/self/fd/${dir}/${basename(path)}`);
    } finally {
      closeSync(dir);
    }
  } catch (cause) {
    throw new StrataError("RUNTIME_ERROR", `cannot connect to the container's attach socket ${path}`, {
      cause,
    });
  }
}

export class PacketSocket {
  private readonly fd: number;
  private readonly watcher: FdWatcher;
  private readonly queue: Buffer[] = [];
  private reading = true;
  private closed = false;
  private endInputPending = false;
  /** Called when queued input has all been sent (to resume a paused input stream). */
  onDrain: (() => void) | undefined;

  constructor(
    path: string,
    private readonly handlers: PacketHandlers,
  ) {
    this.fd = connect(path);
    const n = native();
    this.watcher = new n.FdWatcher(this.fd, (err, readable, writable) => {
      if (this.closed) return;
      if (err) {
        this.fail(err);
        return;
      }
      if (writable) this.flush();
      if (readable) this.readAvailable();
    });
    this.arm();
  }

  private arm(): void {
    if (!this.closed) this.watcher.set(this.reading, this.queue.length > 0);
  }

  private readAvailable(): void {
    const n = native();
    while (this.reading && !this.closed) {
      let p: Buffer | null | undefined;
      try {
        p = n.recvPacket(this.fd, MAX_PACKET);
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      if (p === undefined) return;
      if (p === null) {
        this.close();
        this.handlers.end();
        return;
      }
      this.handlers.packet(p);
    }
  }

  private fail(err: Error): void {
    this.close();
    this.handlers.end(err);
  }

  /** Stop taking packets (the writer downstream is full); conmon waits meanwhile. */
  pause(): void {
    this.reading = false;
    this.arm();
  }

  resume(): void {
    if (this.reading || this.closed) return;
    this.reading = true;
    this.arm();
    // Packets that arrived while paused do not raise a new edge for everyone; look now.
    setImmediate(() => this.readAvailable());
  }

  /** Queues raw bytes for the container's stdin; false when the caller should wait for onDrain. */
  write(data: Buffer): boolean {
    if (this.closed) return false;
    for (let off = 0; off < data.length; off += MAX_SEND) this.queue.push(data.subarray(off, off + MAX_SEND));
    this.flush();
    return this.queue.length === 0;
  }

  private flush(): void {
    const n = native();
    while (this.queue.length > 0 && !this.closed) {
      let sent: boolean;
      try {
        sent = n.sendPacket(this.fd, this.queue[0] as Buffer);
      } catch (err) {
        // conmon no longer reads (the container ended): input has nowhere to go.
        if ((err as NodeJS.ErrnoException).code === "EPIPE") {
          this.queue.length = 0;
          break;
        }
        this.fail(err as Error);
        return;
      }
      if (!sent) break;
      this.queue.shift();
    }
    this.arm();
    if (this.queue.length === 0) {
      if (this.endInputPending) {
        this.endInputPending = false;
        this.shutdownInput();
      }
      this.onDrain?.();
    }
  }

  private shutdownInput(): void {
    try {
      native().shutdown(this.fd, SHUT_WR);
    } catch {}
  }

  /** The container's stdin sees end of file once queued input is sent. */
  endInput(): void {
    if (this.closed) return;
    if (this.queue.length > 0) this.endInputPending = true;
    else this.shutdownInput();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watcher.close();
    try {
      native().shutdown(this.fd, SHUT_RDWR);
    } catch {}
    closeSync(this.fd);
  }
}
