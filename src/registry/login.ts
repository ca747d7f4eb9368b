/**
 * `login` and `logout` as Docker's client and daemon do them: the
 * credentials are checked against the registry's `/v2/` (answering its
 * Basic or Bearer challenge) before anything is saved; a refusal is
 * `login attempt to <url> failed with status: 401 Unauthorized` and leaves
 * the config as it was. The password appears in no message.
 */
import { RegistryError } from "../errors.ts";
import { Authenticator } from "./auth.ts";
import { eraseCredentials, hostnameOf, isLoggedIn, storeCredentials } from "./config-file.ts";
import {
  type CredentialStore,
  type Credentials,
  DOCKER_HUB_AUTH_KEY,
  defaultDockerConfigPath,
} from "./credentials.ts";
import { resolveEndpoint } from "./endpoint.ts";
import { Transport } from "./transport.ts";

export interface LoginOptions {
  username: string;
  password: string;
  dockerConfigPath?: string;
  insecureRegistries?: string[];
  signal?: AbortSignal;
}

export interface LoginResult {
  /** The key the credentials were saved under. */
  server: string;
  /** Set when the password went into this file in the clear (Docker warns then). */
  plaintextFile?: string;
}

const STATUS_TEXT: Record<number, string> = { 401: "Unauthorized", 403: "Forbidden", 404: "Not Found" };

/** Checks credentials against the registry's `/v2/`; throws UNAUTHORIZED in Docker's words if refused. */
export async function verifyLogin(
  server: string,
  creds: Credentials & { kind: "basic" },
  opts: { insecureRegistries?: string[]; signal?: AbortSignal } = {},
): Promise<void> {
  const host = hostnameOf(server === DOCKER_HUB_AUTH_KEY ? "registry-1.docker.io" : server);
  const ep = resolveEndpoint(host, opts.insecureRegistries ?? []);
  const transport = new Transport({ maxAttempts: 2 });
  try {
    const fixed = { get: async () => creds } as unknown as CredentialStore;
    const auth = new Authenticator(transport, fixed);
    const url = new URL("/v2/", ep.origin);
    const authz = await auth.authorize(ep, [], { method: "GET", url, signal: opts.signal });
    const res = await transport.send({
      method: "GET",
      url,
      authorization: authz.header,
      signal: opts.signal,
    });
    await res.body.dump().catch(() => {});
    if (res.status !== 200) {
      throw new RegistryError(
        "UNAUTHORIZED",
        `login attempt to ${url} failed with status: ${res.status} ${STATUS_TEXT[res.status] ?? ""}`.trimEnd(),
        { status: res.status, method: "GET", url: url.toString() },
      );
    }
  } finally {
    await transport.close().catch(() => {});
  }
}

/** The key Docker saves a server's credentials under (Docker Hub's is its v1 URL). */
export function loginServer(server?: string): string {
  if (!server || server === "docker.io" || server === "index.docker.io") return DOCKER_HUB_AUTH_KEY;
  return server;
}

export async function login(server: string | undefined, opts: LoginOptions): Promise<LoginResult> {
  const key = loginServer(server);
  await verifyLogin(
    key,
    { kind: "basic", username: opts.username, password: opts.password },
    { insecureRegistries: opts.insecureRegistries, signal: opts.signal },
  );
  const path = opts.dockerConfigPath ?? defaultDockerConfigPath();
  const { plaintextFile } = await storeCredentials(path, key, opts.username, opts.password);
  return { server: key, plaintextFile };
}

export interface LogoutResult {
  /** The name Docker prints: `Removing login credentials for <name>` / `Not logged in to <name>`. */
  server: string;
  loggedIn: boolean;
  /** Names whose credentials could not be erased (all of them failed). */
  errors: Map<string, Error>;
}

export async function logout(server: string | undefined, dockerConfigPath?: string): Promise<LogoutResult> {
  const key = loginServer(server);
  const path = dockerConfigPath ?? defaultDockerConfigPath();
  const shown = key === DOCKER_HUB_AUTH_KEY ? key : hostnameOf(key);
  // Docker tries every spelling a server may have been saved under.
  const names =
    key === DOCKER_HUB_AUTH_KEY ? [key] : [...new Set([key, shown, `http://${shown}`, `https://${shown}`])];
  if (!isLoggedIn(path, names)) return { server: shown, loggedIn: false, errors: new Map() };
  const errors = await eraseCredentials(path, names);
  return { server: shown, loggedIn: true, errors: errors.size === names.length ? errors : new Map() };
}
