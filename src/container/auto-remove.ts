/**
 * Auto-removal on read. Docker's daemon removes an --rm container when its
 * run ends; strata has no daemon, so whoever reads the record first after
 * the end (conmon's exit command, the waiting CLI, `ps`, `inspect`…) settles
 * it and removes it.
 */
import { isStrataError } from "../errors.ts";
import type { ContainerRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";
import { refresh } from "./lifecycle.ts";

/** The record made true; an --rm container that ended is removed with `remove`. */
export async function refreshAndAutoRemove(
  store: Store,
  c: ContainerRecord,
  remove: (id: string) => Promise<unknown>,
): Promise<ContainerRecord> {
  const now = await refresh(store, c);
  if (now.state === "exited" && now.config.AutoRemove) {
    await remove(now.id).catch((err) => {
      // Another reader removed it first.
      if (!isStrataError(err, "NOT_FOUND")) throw err;
    });
  }
  return now;
}
