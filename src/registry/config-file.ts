/**
 * Writing Docker's client config (`~/.docker/config.json`) as `docker login`
 * and `logout` do: Go's MarshalIndent with tabs, no final newline, mode 0600,
 * replaced atomically (a temporary file renamed over it). Keys strata does
 * not know are kept. Secrets go to the credential helper named by
 * `credHelpers[server]` or `credsStore` when there is one (the protocol every
 * `docker-credential-*` helper speaks: `store`, `get`, `erase` on stdin);
 * the file then keeps only an empty entry, as Docker's does.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { StrataError } from "../errors.ts";
import { userEnv } from "../sys/extra-ca.ts";

type ConfigDoc = Record<string, unknown> & {
  auths?: Record<string, Record<string, unknown>>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
};

function readConfig(path: string): ConfigDoc {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new StrataError(
      "INVALID_ARGUMENT",
      `cannot read Docker config file ${path}: ${(err as Error).message}`,
    );
  }
  if (text.trim() === "") return {};
  try {
    const doc = JSON.parse(text) as unknown;
    if (doc && typeof doc === "object" && !Array.isArray(doc)) return doc as ConfigDoc;
  } catch {}
  throw new StrataError("INVALID_ARGUMENT", `invalid Docker config file ${path}: not valid JSON`, {
    details: { path },
  });
}

function writeConfig(path: string, doc: ConfigDoc): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Docker always writes `auths`, first.
  const { auths, ...rest } = doc;
  const out = { auths: auths ?? {}, ...rest };
  const tmp = join(dirname(path), `.config.json.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(out, null, "\t"), { mode: 0o600 });
  renameSync(tmp, path);
}

/** The helper that holds a server's secrets, if the config names one. */
export function helperFor(path: string, server: string): string | undefined {
  const doc = readConfig(path);
  return doc.credHelpers?.[server] ?? (doc.credsStore || undefined);
}

function runHelper(helper: string, action: "store" | "erase", input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      `docker-credential-${helper}`,
      [action],
      { timeout: 30_000, env: userEnv() },
      (err, stdout, stderr) => {
        if (!err) return resolve();
        if ((err as NodeJS.ErrnoException).code === "ENOENT") {
          return reject(
            new StrataError(
              "INVALID_ARGUMENT",
              `docker-credential-${helper}: executable file not found in $PATH`,
            ),
          );
        }
        // The helper's own words; the input (which holds the secret) is never part of them.
        const why = String(stdout || stderr).trim() || `exit status ${err.code ?? 1}`;
        reject(new StrataError("INVALID_ARGUMENT", why));
      },
    );
    child.stdin?.end(input);
  });
}

/** Saves credentials for `server`; returns the file it wrote them to in the clear, if it did. */
export async function storeCredentials(
  path: string,
  server: string,
  username: string,
  password: string,
): Promise<{ plaintextFile?: string }> {
  const doc = readConfig(path);
  const helper = doc.credHelpers?.[server] ?? (doc.credsStore || undefined);
  doc.auths ??= {};
  if (helper) {
    await runHelper(
      helper,
      "store",
      JSON.stringify({ ServerURL: server, Username: username, Secret: password }),
    );
    doc.auths[server] = {};
    writeConfig(path, doc);
    return {};
  }
  doc.auths[server] = { auth: Buffer.from(`${username}:${password}`).toString("base64") };
  writeConfig(path, doc);
  return { plaintextFile: path };
}

/** Docker's ConvertToHostname. */
export function hostnameOf(server: string): string {
  return server.replace(/^https?:\/\//, "").split("/")[0];
}

/** True when the config has an entry for any of the names a server goes by. */
export function isLoggedIn(path: string, names: string[]): boolean {
  const auths = readConfig(path).auths ?? {};
  return names.some((n) => n in auths);
}

/** Removes `server`'s credentials from the helper and the file; returns the failures, by name. */
export async function eraseCredentials(path: string, names: string[]): Promise<Map<string, Error>> {
  const errors = new Map<string, Error>();
  for (const name of names) {
    const doc = readConfig(path);
    const helper = doc.credHelpers?.[name] ?? (doc.credsStore || undefined);
    try {
      if (helper) await runHelper(helper, "erase", name);
      if (doc.auths && name in doc.auths) {
        delete doc.auths[name];
        writeConfig(path, doc);
      }
    } catch (err) {
      errors.set(name, err as Error);
    }
  }
  return errors;
}
