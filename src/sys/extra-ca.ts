/**
 * NODE_EXTRA_CA_CERTS, read when a TLS connection needs it rather than at
 * every start.
 *
 * Node 20 reads and parses the file that NODE_EXTRA_CA_CERTS names as it
 * starts, before any JavaScript runs, whether or not the process will open a
 * TLS connection. Where the variable names the whole system bundle (these
 * machines: ~140 certificates) that is 38 ms of Node's 63 ms start, paid by
 * `ps` as by `pull`. So the launcher line of dist/strata.js (scripts/bundle.mjs)
 * takes the variable out of Node's environment and hands its value on as
 * STRATA_NODE_EXTRA_CA_CERTS; here those certificates are added to the roots
 * Node's own store holds, for the connections strata makes, which is what
 * Node would have done. Started another way (`node dist/strata.js`), Node has
 * loaded them itself and nothing is added.
 */
import { readFileSync } from "node:fs";
import type { SecureContext } from "node:tls";
import { tls as loadTls } from "./builtins.ts";

/** The variable the launcher line moves NODE_EXTRA_CA_CERTS to. */
export const DEFERRED_EXTRA_CA = "STRATA_NODE_EXTRA_CA_CERTS";

let context: SecureContext | null | undefined;

/** The deferred file, when Node did not load it at start ("" for none). */
function deferredFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.NODE_EXTRA_CA_CERTS ? "" : (env[DEFERRED_EXTRA_CA] ?? "");
}

/**
 * A secure context trusting Node's roots and the deferred extra certificates,
 * made once; undefined when Node's default store is already right.
 */
export function extraCaContext(): SecureContext | undefined {
  if (context === undefined) context = load(deferredFile());
  return context ?? undefined;
}

function load(file: string): SecureContext | null {
  if (!file) return null;
  const tls = loadTls();
  try {
    return tls.createSecureContext({ ca: [...tls.rootCertificates, readFileSync(file, "latin1")] });
  } catch (err) {
    // Node's own line when it cannot use the file; it goes on without the file, and so does strata.
    process.stderr.write(
      `Warning: Ignoring extra certs from \`${file}\`, load failed: ${(err as Error).message}\n`,
    );
    return null;
  }
}

/**
 * The environment for a program strata runs on the user's behalf (a
 * credential helper): NODE_EXTRA_CA_CERTS as the user set it, in case that
 * program is a Node program too.
 */
export function userEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!(DEFERRED_EXTRA_CA in env)) return env;
  const { [DEFERRED_EXTRA_CA]: _, ...rest } = env;
  const file = deferredFile(env);
  return file ? { ...rest, NODE_EXTRA_CA_CERTS: file } : rest;
}
