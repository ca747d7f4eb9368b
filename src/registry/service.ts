/**
 * What the engine offers about registries themselves: `login` (credentials
 * checked, then saved in Docker's config or its credential helper) and
 * `logout`. The registry code loads only when one of them runs.
 */
import type { LoginResult, LogoutResult } from "./login.ts";

export interface RegistryServiceOptions {
  dockerConfigPath?: string;
  insecureRegistries?: string[];
}

export class RegistryService {
  constructor(private readonly opts: RegistryServiceOptions = {}) {}

  /** Checks `username`/`password` against `server` (default Docker Hub) and saves them. */
  async login(
    server: string | undefined,
    creds: { username: string; password: string; signal?: AbortSignal },
  ): Promise<LoginResult> {
    const { login } = await import("./login.ts");
    return login(server, { ...creds, ...this.opts });
  }

  /** Checks credentials against `server` without saving them (the Engine API's /auth). */
  async verify(
    server: string | undefined,
    creds: { username: string; password: string; signal?: AbortSignal },
  ): Promise<void> {
    const { loginServer, verifyLogin } = await import("./login.ts");
    await verifyLogin(
      loginServer(server),
      { kind: "basic", username: creds.username, password: creds.password },
      { insecureRegistries: this.opts.insecureRegistries, signal: creds.signal },
    );
  }

  /** The credentials saved for `server`, if any (for `login` without flags). */
  async savedCredentials(
    server: string | undefined,
  ): Promise<{ username: string; password: string } | undefined> {
    const { loginServer } = await import("./login.ts");
    const { CredentialStore, defaultDockerConfigPath } = await import("./credentials.ts");
    const store = new CredentialStore(this.opts.dockerConfigPath ?? defaultDockerConfigPath());
    const key = loginServer(server);
    const found = await store.get(key.startsWith("https://index.docker.io") ? "docker.io" : key);
    return found?.kind === "basic" ? { username: found.username, password: found.password } : undefined;
  }

  async logout(server: string | undefined): Promise<LogoutResult> {
    const { logout } = await import("./login.ts");
    return logout(server, this.opts.dockerConfigPath);
  }
}
