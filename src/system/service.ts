/** Store-wide views and maintenance: disk usage and integrity checks. */
import type { ImageService } from "../image/index.ts";
import type { Store } from "../store/index.ts";
import type { CheckReport } from "./check.ts";
import { type ContainerUsageSource, type DiskUsage, diskUsage } from "./df.ts";

export class SystemService {
  constructor(
    private readonly store: Store,
    private readonly images: ImageService,
    private readonly containers: ContainerUsageSource,
  ) {}

  df(): Promise<DiskUsage> {
    return diskUsage(this.store, this.images, this.containers);
  }

  /** Verifies every blob and layer against its digest and every name against its image. */
  async check(opts: { repair?: boolean } = {}): Promise<CheckReport> {
    const { checkStore } = await import("./check.ts");
    return checkStore(this.store, this.images.users, opts);
  }
}
