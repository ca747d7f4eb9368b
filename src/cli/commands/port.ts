/**
 * `port CONTAINER [PRIVATE_PORT[/PROTO]]`: what the container publishes, from
 * its inspect NetworkSettings.Ports as Docker's CLI reads it.
 */
import { StrataError } from "../../errors.ts";
import type { CommandContext, CommandResult } from "../context.ts";

type Ports = Record<string, { HostIp: string; HostPort: string }[] | null>;

const byPort = (a: string, b: string) =>
  Number.parseInt(a, 10) - Number.parseInt(b, 10) || (a < b ? -1 : a > b ? 1 : 0);

export async function run(ctx: CommandContext, name: string, privatePort?: string): Promise<CommandResult> {
  const engine = await ctx.engine();
  const info = await engine.containers.inspect(name);
  const ports = ((info.NetworkSettings as { Ports?: Ports } | undefined)?.Ports ?? {}) as Ports;
  const addr = (b: { HostIp: string; HostPort: string }) => `${b.HostIp}:${b.HostPort}`;
  if (privatePort !== undefined) {
    const key = privatePort.includes("/") ? privatePort : `${privatePort}/tcp`;
    const bindings = ports[key];
    if (!bindings || bindings.length === 0) {
      throw new StrataError("NOT_FOUND", `No public port '${key}' published for ${name}`, {
        details: { prefix: "Error: " },
      });
    }
    ctx.io.out(bindings.map((b) => `${addr(b)}\n`).join(""));
    return { exitCode: 0 };
  }
  const lines: string[] = [];
  for (const key of Object.keys(ports).sort(byPort)) {
    for (const b of ports[key] ?? []) lines.push(`${key} -> ${addr(b)}\n`);
  }
  ctx.io.out(lines.join(""));
  return { exitCode: 0 };
}
