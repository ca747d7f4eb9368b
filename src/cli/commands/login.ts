/**
 * `login` and `logout` with Docker's texts: the password from `-p` (with
 * Docker's warning), `--password-stdin`, saved credentials, or a prompt on a
 * terminal; the unencrypted-storage warning when the password lands in
 * config.json; `Login Succeeded`; `Removing login credentials for …`.
 */
import { readFileSync } from "node:fs";
import { StrataError } from "../../errors.ts";
import { UsageError } from "../args.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";

export interface LoginFlags {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
}

const UNENCRYPTED = (file: string) =>
  `WARNING! Your password will be stored unencrypted in ${file}.\n` +
  "Configure a credential helper to remove this warning. See\n" +
  "https://docs.docker.com/engine/reference/commandline/login/#credentials-store\n\n";

function readStdin(): string {
  // Docker trims the trailing newline (and a CR) of what it read, nothing else.
  return readFileSync(0, "utf8").replace(/\n$/, "").replace(/\r$/, "");
}

/** Reads one line from the terminal, echoing it or not. */
async function prompt(ctx: CommandContext, question: string, echo: boolean): Promise<string> {
  ctx.io.out(question);
  const stdin = process.stdin;
  if (!echo) stdin.setRawMode(true);
  let line = "";
  try {
    for await (const chunk of stdin) {
      const text = String(chunk);
      for (const c of text) {
        if (c === "\r" || c === "\n") return line;
        if (c === "\u0003") throw new StrataError("ABORTED", "interrupted");
        if (c === "\u007f") line = line.slice(0, -1);
        else line += c;
      }
    }
    return line;
  } finally {
    if (!echo) {
      stdin.setRawMode(false);
      ctx.io.out("\n");
    }
    stdin.pause();
  }
}

export async function run(
  ctx: CommandContext,
  server: string | undefined,
  flags: LoginFlags,
): Promise<CommandResult> {
  let { username, password } = flags;
  if (password !== undefined) {
    ctx.io.err("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
    if (flags.passwordStdin)
      throw new UsageError("--password and --password-stdin are mutually exclusive", 1);
  }
  if (flags.passwordStdin) {
    if (!username) throw new UsageError("Must provide --username with --password-stdin", 1);
    password = readStdin();
  }
  const engine = await ctx.engine();
  const registries = engine.registries;

  if (!username && password === undefined) {
    const saved = await registries.savedCredentials(server);
    if (saved) {
      ctx.io.out("Authenticating with existing credentials...\n");
      try {
        const result = await registries.login(server, saved);
        if (result.plaintextFile) ctx.io.err(UNENCRYPTED(result.plaintextFile));
        ctx.io.out("Login Succeeded\n");
        return ok;
      } catch {
        // Docker then asks again.
      }
    }
  }
  if (!username || password === undefined) {
    const { tty } = await import("../../sys/builtins.ts");
    if (!tty().isatty(0))
      throw new UsageError("Error: Cannot perform an interactive login from a non TTY device", 1);
    if (!username) username = (await prompt(ctx, "Username: ", true)).trim();
    if (!username) throw new UsageError("Error: Non-null Username Required", 1);
    if (password === undefined) password = await prompt(ctx, "Password: ", false);
    if (!password) throw new UsageError("Error: Password Required", 1);
  }
  const result = await registries.login(server, { username, password });
  if (result.plaintextFile) ctx.io.err(UNENCRYPTED(result.plaintextFile));
  ctx.io.out("Login Succeeded\n");
  return ok;
}

export async function logout(ctx: CommandContext, server: string | undefined): Promise<CommandResult> {
  const engine = await ctx.engine();
  const result = await engine.registries.logout(server);
  if (!result.loggedIn) {
    ctx.io.out(`Not logged in to ${result.server}\n`);
    return ok;
  }
  ctx.io.out(`Removing login credentials for ${result.server}\n`);
  if (result.errors.size > 0) {
    ctx.io.err("WARNING: could not erase credentials:\n");
    for (const [name, err] of result.errors) ctx.io.err(`${name}: ${err.message}\n`);
  }
  return ok;
}
