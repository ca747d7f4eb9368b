import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";

/** A temporary directory removed when the test file finishes. */
export function tempDir(prefix = "strata-test-"): string {
  const dir = mkdtempSync(join(process.env.STRATA_TEST_TMP ?? tmpdir(), prefix));
  // Retries: a container's exit command may still be closing its files in the store.
  after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 }));
  return dir;
}
