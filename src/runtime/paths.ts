/**
 * Where a container's runtime files live. conmon puts its attach socket and
 * control fifos (ctl, winsz) in the bundle directory; everything strata reads
 * later — log, pid files, exit code, and a record of how the container was
 * created — goes in the container directory, so that attach, logs and wait
 * need nothing but that directory.
 */
import { join } from "node:path";

export interface ContainerFiles {
  /** conmon's log, k8s-file format. */
  log: string;
  /** The container's init pid, written by the runtime. */
  pidFile: string;
  /** conmon's own pid (the long-lived monitor). */
  conmonPidFile: string;
  /** The exit code, written by conmon when the container ends (--persist-dir). */
  exitFile: string;
  /** Present when the kernel's OOM killer ended the container (conmon, --persist-dir). */
  oomFile: string;
  /** strata's record of the created container (RuntimeRecord, JSON). */
  record: string;
}

export function containerFiles(containerDir: string): ContainerFiles {
  return {
    log: join(containerDir, "container.log"),
    pidFile: join(containerDir, "pidfile"),
    conmonPidFile: join(containerDir, "conmon.pid"),
    exitFile: join(containerDir, "exit"),
    oomFile: join(containerDir, "oom"),
    record: join(containerDir, "runtime.json"),
  };
}

/** conmon's files in a bundle (or exec session) directory. */
export function bundleFiles(bundleDir: string): { attach: string; ctl: string } {
  return { attach: join(bundleDir, "attach"), ctl: join(bundleDir, "ctl") };
}
