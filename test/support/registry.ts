/**
 * A real registry for tests: Debian's docker-registry (distribution 2.8) on
 * a free loopback port with a throw-away filesystem store. Auth modes:
 * none; htpasswd Basic; or Bearer tokens from a small token server in this
 * process that signs RS256 JWTs with a self-made certificate (openssl),
 * which the registry trusts through `rootcertbundle`.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createSign, randomBytes, X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, get, type IncomingMessage, type Server } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type RegistryAuth = "none" | "basic" | "token";

export interface StartRegistryOptions {
  auth?: RegistryAuth;
  /** Token mode: what a request without credentials is granted (default: nothing, so pulls are denied). */
  anonymous?: Array<"pull" | "push">;
  /** Distribution's read-only maintenance mode: every write is refused (405 UNSUPPORTED). */
  readOnly?: boolean;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT`, the reference domain. */
  host: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The user and password accepted in "basic" and "token" modes. */
  username?: string;
  password?: string;
  /** Token mode: how many tokens the token server has issued. */
  tokensIssued(): number;
  stop(): Promise<void>;
}

const REGISTRY_BIN = "/usr/bin/docker-registry";
const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.setTimeout(1000, () => req.destroy(new Error("timeout")));
  });
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr()}`);
    try {
      const status = await httpStatus(url);
      if (status === 200 || status === 401) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer ${url} within 15 s: ${stderr()}`);
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

interface TokenServer {
  server: Server;
  realm: string;
  issued: number;
}

/** A token server as distribution's token spec describes: GET ?service&scope, Basic credentials optional. */
async function startTokenServer(
  dir: string,
  users: Record<string, string>,
  anonymous: string[],
  service: string,
  issuer: string,
): Promise<TokenServer & { certPath: string }> {
  const keyPath = join(dir, "token.key");
  const certPath = join(dir, "token.crt");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-days",
      "2",
      "-subj",
      "/CN=strata-test-token",
    ],
    { stdio: "ignore" },
  );
  const key = readFileSync(keyPath, "utf8");
  const certDer = new X509Certificate(readFileSync(certPath)).raw;
  const state: TokenServer & { certPath: string } = {
    server: createServer(),
    realm: "",
    issued: 0,
    certPath,
  };
  state.server.on("request", (req: IncomingMessage, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const auth = req.headers.authorization;
    let user: string | undefined;
    if (auth?.startsWith("Basic ")) {
      const [u, ...rest] = Buffer.from(auth.slice(6), "base64").toString().split(":");
      if (users[u] === undefined || users[u] !== rest.join(":")) {
        res.writeHead(401, { "content-type": "application/json" });
        res.end(JSON.stringify({ details: "incorrect username or password" }));
        return;
      }
      user = u;
    }
    const access = url.searchParams.getAll("scope").flatMap((scope) => {
      const [type, name, actions] = scope.split(":");
      const granted = actions.split(",").filter((a) => (user ? true : anonymous.includes(a)));
      return granted.length > 0 ? [{ type, name, actions: granted }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: "JWT", alg: "RS256", x5c: [certDer.toString("base64")] };
    const claims = {
      iss: issuer,
      sub: user ?? "",
      aud: url.searchParams.get("service") ?? service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString("hex"),
      access,
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign("RSA-SHA256").update(signingInput).sign(key);
    state.issued++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        token: `${signingInput}.${b64url(signature)}`,
        expires_in: 300,
        issued_at: new Date().toISOString(),
      }),
    );
  });
  await new Promise<void>((r) => state.server.listen(0, "127.0.0.1", r));
  state.realm = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/token`;
  return state;
}

export async function startRegistry(opts: StartRegistryOptions = {}): Promise<TestRegistry> {
  const mode = opts.auth ?? "none";
  const dir = mkdtempSync(join(process.env.STRATA_TEST_TMP ?? tmpdir(), "strata-registry-"));
  mkdirSync(join(dir, "data"));
  const username = mode === "none" ? undefined : "strata";
  const password = mode === "none" ? undefined : `pw-${randomBytes(6).toString("hex")}`;
  let auth = "";
  let tokens: TokenServer | undefined;
  if (mode === "basic") {
    execFileSync("htpasswd", ["-B", "-b", "-c", join(dir, "htpasswd"), username!, password!], {
      stdio: "ignore",
    });
    auth = `auth:\n  htpasswd:\n    realm: strata-test\n    path: ${join(dir, "htpasswd")}\n`;
  } else if (mode === "token") {
    const service = "strata-test-registry";
    const issuer = "strata-test-issuer";
    const t = await startTokenServer(dir, { [username!]: password! }, opts.anonymous ?? [], service, issuer);
    tokens = t;
    auth =
      `auth:\n  token:\n    realm: ${t.realm}\n    service: ${service}\n    issuer: ${issuer}\n` +
      `    rootcertbundle: ${t.certPath}\n`;
  }

  let child: ChildProcess | undefined;
  let host = "";
  let stderr = "";
  // The port is free when chosen but could be taken before the registry binds it: try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    host = `127.0.0.1:${port}`;
    const config =
      "version: 0.1\n" +
      "log:\n  level: error\n  accesslog:\n    disabled: true\n" +
      `storage:\n  filesystem:\n    rootdirectory: ${join(dir, "data")}\n  delete:\n    enabled: true\n` +
      "  maintenance:\n    uploadpurging:\n      enabled: false\n" +
      (opts.readOnly ? "    readonly:\n      enabled: true\n" : "") +
      `http:\n  addr: ${host}\n  secret: strata-test-${randomBytes(8).toString("hex")}\n` +
      auth;
    writeFileSync(join(dir, "config.yml"), config);
    stderr = "";
    const c = spawn(REGISTRY_BIN, ["serve", join(dir, "config.yml")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    live.add(c);
    c.stderr?.on("data", (d) => {
      stderr += d;
    });
    c.on("exit", () => live.delete(c));
    try {
      await waitReady(`http://${host}/v2/`, c, () => stderr);
      child = c;
      break;
    } catch (err) {
      c.kill("SIGKILL");
      if (!/address already in use/.test(stderr) || attempt === 4) {
        tokens?.server.close();
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }

  let stopped = false;
  return {
    host,
    url: `http://${host}`,
    username,
    password,
    tokensIssued: () => tokens?.issued ?? 0,
    async stop() {
      if (stopped) return;
      stopped = true;
      const c = child!;
      if (c.exitCode === null) {
        const exited = new Promise((r) => c.once("exit", r));
        c.kill("SIGTERM");
        const timer = setTimeout(() => c.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (tokens) await new Promise((r) => tokens!.server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a Docker client config with `auths` for one registry; returns its path. */
export function writeDockerConfig(dir: string, host: string, username: string, password: string): string {
  const path = join(dir, "config.json");
  const auth = Buffer.from(`${username}:${password}`).toString("base64");
  writeFileSync(path, JSON.stringify({ auths: { [host]: { auth } } }, null, 2));
  return path;
}
