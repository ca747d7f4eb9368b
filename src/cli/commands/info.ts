/**
 * `info`: Docker's layout (docker/cli command/system/info.go prettyPrintInfo)
 * for what strata reports: counts, storage driver and its backing file
 * system, logging, cgroups, runtimes, the host and the store's root.
 */
import { bytesSize, parseFormat } from "../../format/index.ts";
import type { EngineInfo } from "../../system/index.ts";
import { type CommandContext, type CommandResult, ok } from "../context.ts";

export interface InfoFlags {
  format?: string;
}

function server(i: EngineInfo): string {
  const lines: string[] = [];
  const p = (s: string) => lines.push(s);
  p("Server:");
  p(` Containers: ${i.Containers}`);
  p(`  Running: ${i.ContainersRunning}`);
  p(`  Paused: ${i.ContainersPaused}`);
  p(`  Stopped: ${i.ContainersStopped}`);
  p(` Images: ${i.Images}`);
  p(` Server Version: ${i.ServerVersion}`);
  p(` Storage Driver: ${i.Driver}`);
  for (const [k, v] of i.DriverStatus) p(`  ${k}: ${v}`);
  p(` Logging Driver: ${i.LoggingDriver}`);
  p(` Cgroup Driver: ${i.CgroupDriver}`);
  p(` Cgroup Version: ${i.CgroupVersion}`);
  p(" Plugins:");
  p(`  Volume: ${i.Plugins.Volume.join(" ")}`);
  p(`  Network: ${i.Plugins.Network.join(" ")}`);
  p(`  Log: ${i.Plugins.Log.join(" ")}`);
  p(` Swarm: ${i.Swarm.LocalNodeState}`);
  p(` Runtimes: ${Object.keys(i.Runtimes).sort().join(" ")}`);
  p(` Default Runtime: ${i.DefaultRuntime}`);
  if (i.SecurityOptions.length > 0) {
    p(" Security Options:");
    for (const o of i.SecurityOptions) p(`  ${o.replace(/^name=/, "").split(",")[0]}`);
  }
  p(` Kernel Version: ${i.KernelVersion}`);
  p(` Operating System: ${i.OperatingSystem}`);
  p(` OSType: ${i.OSType}`);
  p(` Architecture: ${i.Architecture}`);
  p(` CPUs: ${i.NCPU}`);
  p(` Total Memory: ${bytesSize(i.MemTotal)}`);
  p(` Name: ${i.Name}`);
  p(` ID: ${i.ID}`);
  p(` Docker Root Dir: ${i.DockerRootDir}`);
  p(` Debug Mode: ${i.Debug}`);
  if (i.HttpProxy) p(` HTTP Proxy: ${i.HttpProxy}`);
  if (i.HttpsProxy) p(` HTTPS Proxy: ${i.HttpsProxy}`);
  if (i.NoProxy) p(` No Proxy: ${i.NoProxy}`);
  p(` Experimental: ${i.ExperimentalBuild}`);
  p(" Insecure Registries:");
  for (const r of i.RegistryConfig.InsecureRegistryCIDRs) p(`  ${r}`);
  p(` Live Restore Enabled: ${i.LiveRestoreEnabled}`);
  return `${lines.join("\n")}\n`;
}

export async function run(ctx: CommandContext, flags: InfoFlags): Promise<CommandResult> {
  const engine = await ctx.engine();
  const info = await engine.system.info();
  if (flags.format) {
    const { template } = parseFormat(flags.format);
    ctx.io.out(`${template.execute(info)}\n`);
    return ok;
  }
  ctx.io.out(`Client:\n Context:    default\n Debug Mode: false\n\n${server(info)}`);
  return ok;
}
