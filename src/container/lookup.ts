/** Finds the container a user means: exact ID, exact name, then a unique ID prefix (Docker's order). */
import { StrataError } from "../errors.ts";
import type { ContainerRecord } from "../metadata/index.ts";
import type { Store } from "../store/index.ts";

export function noSuchContainer(input: string): StrataError {
  return new StrataError("NOT_FOUND", `No such container: ${input}`, { details: { container: input } });
}

export function findContainer(store: Store, input: string): ContainerRecord {
  const { meta } = store;
  const byId = /^[a-f0-9]{64}$/.test(input) ? meta.containers.get(input) : undefined;
  if (byId) return byId;
  const byName = meta.containers.getByName(input.startsWith("/") ? input.slice(1) : input);
  if (byName) return byName;
  if (/^[a-f0-9]+$/.test(input)) {
    const matches = meta.containers.findByPrefix(input);
    if (matches.length > 1) {
      throw new StrataError("AMBIGUOUS_ID", `multiple IDs found with provided prefix: ${input}`, {
        details: { container: input },
      });
    }
    if (matches[0]) return matches[0];
  }
  throw noSuchContainer(input);
}
