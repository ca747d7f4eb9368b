/**
 * `version`: Docker's two sections (docker/cli command/system/version.go).
 * strata has no daemon: the client and the engine are the same program, so
 * the Server section is the library's own report (runtime and monitor
 * versions asked from their binaries). Unlike Docker, it never fails for a
 * missing daemon.
 */
import { arch } from "node:os";
import { parseFormat } from "../../format/index.ts";
import type { EngineVersion } from "../../system/index.ts";
import { BUILD } from "../../system/version.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";

export interface VersionFlags {
  format?: string;
}

const row = (indent: string, key: string, value: string) => `${`${indent}${key}:`.padEnd(20)}${value}\n`;

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** docker/cli prints build times in Go's time.ANSIC layout (`Thu Jan 19 17:34:14 2023`), in UTC here. */
function ansic(rfc3339: string): string {
  const d = new Date(rfc3339);
  if (rfc3339 === "" || Number.isNaN(d.getTime())) return rfc3339;
  const p2 = (n: number) => String(n).padStart(2, "0");
  const time = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  const day = String(d.getUTCDate()).padStart(2, " ");
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${day} ${time} ${d.getUTCFullYear()}`;
}

function goArch(): string {
  return arch() === "x64" ? "amd64" : arch();
}

function client(server: EngineVersion) {
  return {
    Platform: { Name: "" },
    Version: server.Version,
    ApiVersion: server.ApiVersion,
    DefaultAPIVersion: server.ApiVersion,
    GoVersion: `node${process.versions.node}`,
    GitCommit: BUILD.commit,
    BuildTime: BUILD.time,
    Os: "linux",
    Arch: goArch(),
    Context: "default",
  };
}

function render(c: ReturnType<typeof client>, s: EngineVersion): string {
  let out = "Client:\n";
  out += row(" ", "Version", c.Version);
  out += row(" ", "API version", c.ApiVersion);
  out += row(" ", "Go version", c.GoVersion);
  out += row(" ", "Git commit", c.GitCommit);
  out += row(" ", "Built", ansic(c.BuildTime));
  out += row(" ", "OS/Arch", `${c.Os}/${c.Arch}`);
  out += row(" ", "Context", c.Context);
  out += `\nServer: ${s.Platform.Name}\n`;
  for (const comp of s.Components) {
    out += ` ${comp.Name}:\n`;
    if (comp.Name === "Engine") {
      const d = comp.Details;
      out += row("  ", "Version", comp.Version);
      out += row("  ", "API version", `${d.ApiVersion} (minimum version ${d.MinAPIVersion})`);
      out += row("  ", "Go version", d.GoVersion ?? "");
      out += row("  ", "Git commit", d.GitCommit ?? "");
      out += row("  ", "Built", ansic(d.BuildTime ?? ""));
      out += row("  ", "OS/Arch", `${d.Os}/${d.Arch}`);
      out += row("  ", "Experimental", d.Experimental ?? "false");
    } else {
      out += row("  ", "Version", comp.Version);
      for (const key of Object.keys(comp.Details).sort()) out += row("  ", key, comp.Details[key] ?? "");
    }
  }
  return out;
}

export async function run(ctx: CommandContext, flags: VersionFlags): Promise<CommandResult> {
  const engine = await ctx.engine();
  const server = await engine.system.version();
  const c = client(server);
  if (flags.format) {
    const { template } = parseFormat(flags.format);
    ctx.io.out(`${template.execute({ Client: c, Server: server })}\n`);
    return ok;
  }
  ctx.io.out(render(c, server));
  return ok;
}
