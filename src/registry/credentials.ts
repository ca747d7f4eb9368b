/**
 * Credentials from Docker's client config (`~/.docker/config.json`, or
 * `$DOCKER_CONFIG/config.json`): `auths[host].auth` (base64 `user:pass`),
 * `username`/`password`, `identitytoken` (an OAuth refresh token) or
 * `registrytoken`, and the external helpers named by `credHelpers` and
 * `credsStore`. Docker Hub's key is `https://index.docker.io/v1/`.
 */
import { readFile } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { StrataError } from "../errors.ts";
import { childProcess } from "../sys/builtins.ts";
import { userEnv } from "../sys/extra-ca.ts";

export type Credentials =
  | { kind: "basic"; username: string; password: string }
  | { kind: "identity-token"; username?: string; token: string }
  | { kind: "registry-token"; token: string };

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export const DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/";

export function defaultDockerConfigPath(): string {
  const dir = process.env.DOCKER_CONFIG || join(homedir(), ".docker");
  return join(dir, "config.json");
}

/** Docker's ConvertToHostname: drop the scheme and anything after the host. */
function keyHostname(key: string): string {
  return key.replace(/^https?:\/\//, "").split("/")[0];
}

/** The server address Docker stores and passes to helpers for a registry host. */
export function serverAddress(host: string): string {
  return host === "docker.io" ? DOCKER_HUB_AUTH_KEY : host;
}

function entryCredentials(entry: AuthEntry, path: string, key: string): Credentials | undefined {
  if (entry.identitytoken)
    return { kind: "identity-token", token: entry.identitytoken, username: entry.username };
  if (entry.registrytoken) return { kind: "registry-token", token: entry.registrytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) {
      throw new StrataError("INVALID_ARGUMENT", `invalid auth configuration file: ${path} (entry ${key})`, {
        details: { path, key },
      });
    }
    return { kind: "basic", username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username !== undefined && entry.password !== undefined) {
    return { kind: "basic", username: entry.username, password: entry.password };
  }
  return undefined;
}

/** Runs `docker-credential-<helper> get`, the protocol every Docker credential helper speaks. */
function fromHelper(helper: string, address: string): Promise<Credentials | undefined> {
  const { execFile } = childProcess();
  return new Promise((resolve, reject) => {
    const opts = { timeout: 30_000, env: userEnv() };
    const child = execFile(`docker-credential-${helper}`, ["get"], opts, (err, stdout) => {
      if (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") {
          return reject(
            new StrataError("INVALID_ARGUMENT", `credential helper docker-credential-${helper} not found`, {
              cause: err,
              hint: `install docker-credential-${helper} or remove it from the Docker config`,
            }),
          );
        }
        // Helpers exit 1 with this text when they hold nothing for the host.
        if (/credentials not found/i.test(stdout)) return resolve(undefined);
        return reject(
          new StrataError(
            "UNAUTHORIZED",
            `error getting credentials - ${String(stdout || err.message).trim()}`,
            {
              cause: err,
            },
          ),
        );
      }
      try {
        const out = JSON.parse(stdout) as { Username?: string; Secret?: string };
        if (!out.Secret) return resolve(undefined);
        // Docker's convention: the user name `<token>` marks an identity token.
        if (out.Username === "<token>") return resolve({ kind: "identity-token", token: out.Secret });
        resolve({ kind: "basic", username: out.Username ?? "", password: out.Secret });
      } catch (cause) {
        reject(
          new StrataError("UNAUTHORIZED", `credential helper ${helper} returned invalid JSON`, { cause }),
        );
      }
    });
    child.stdin?.end(address);
  });
}

/** Reads the config once and answers credential look-ups for registry hosts. */
export class CredentialStore {
  private config?: Promise<DockerConfigFile>;
  private readonly found = new Map<string, Promise<Credentials | undefined>>();

  constructor(private readonly path: string = defaultDockerConfigPath()) {}

  private load(): Promise<DockerConfigFile> {
    // The callback API: node:fs/promises costs ~1 ms to load, for one small file.
    this.config ??= new Promise<string>((resolve, reject) =>
      readFile(this.path, "utf8", (err, text) => (err ? reject(err) : resolve(text))),
    ).then(
      (text) => {
        try {
          return JSON.parse(text) as DockerConfigFile;
        } catch (cause) {
          throw new StrataError(
            "INVALID_ARGUMENT",
            `invalid Docker config file ${this.path}: not valid JSON`,
            {
              cause,
              details: { path: this.path },
            },
          );
        }
      },
      (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return {};
        throw new StrataError(
          "INVALID_ARGUMENT",
          `cannot read Docker config file ${this.path}: ${err.message}`,
          {
            cause: err,
          },
        );
      },
    );
    return this.config;
  }

  /**
   * Credentials for a registry host as references name it (`docker.io`,
   * `127.0.0.1:5000`). Asked once per host: a credential helper is a process
   * to start, and concurrent layer requests would each start one.
   */
  get(host: string): Promise<Credentials | undefined> {
    let found = this.found.get(host);
    if (!found) {
      found = this.lookUp(host);
      this.found.set(host, found);
      found.catch(() => this.found.delete(host));
    }
    return found;
  }

  private async lookUp(host: string): Promise<Credentials | undefined> {
    const config = await this.load();
    const address = serverAddress(host);
    const wanted = keyHostname(address);
    const helper = config.credHelpers?.[address] ?? config.credHelpers?.[host];
    if (helper) return fromHelper(helper, address);
    if (config.credsStore) {
      const found = await fromHelper(config.credsStore, address);
      if (found) return found;
    }
    const auths = config.auths ?? {};
    const exact = auths[address];
    if (exact) {
      const c = entryCredentials(exact, this.path, address);
      if (c) return c;
    }
    for (const [key, entry] of Object.entries(auths)) {
      if (keyHostname(key) === wanted) {
        const c = entryCredentials(entry, this.path, key);
        if (c) return c;
      }
    }
    return undefined;
  }
}
