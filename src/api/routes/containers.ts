/** Container endpoints that answer at once (moby's container router); streams are in streams.ts. */
import type { ContainerConfig } from "../../container/index.ts";
import { inspectMounts } from "../../volume/index.ts";
import { createOptions } from "../create-body.ts";
import {
  boolParam,
  type Ctx,
  filterArgs,
  HttpError,
  intParam,
  readJson,
  sendEmpty,
  sendJson,
} from "../http.ts";
import { connectExtra, extraNetworks, missingNetwork } from "../network-body.ts";
import type { Routes } from "../router.ts";
import { change, containerSummary } from "../shapes.ts";
import { startContainer } from "./streams.ts";

const id = (ctx: Ctx) => ctx.params.id ?? "";

async function create(ctx: Ctx): Promise<void> {
  const body = await readJson(ctx);
  // dockerode repeats every option in the query string; only name and platform are the query's.
  const opts = createOptions(body, ctx.query.get("name") ?? undefined);
  const extra = extraNetworks(body);
  const created = await ctx.engine.containers.create(opts).catch(missingNetwork);
  await connectExtra(ctx.engine, created, extra);
  sendJson(ctx, 201, { Id: created, Warnings: [] });
}

async function list(ctx: Ctx): Promise<void> {
  const all = boolParam(ctx.query, "all");
  const limit = intParam(ctx.query, "limit");
  let summaries = await ctx.engine.containers.list({
    all: all || (limit !== undefined && limit > 0),
    size: boolParam(ctx.query, "size"),
    filters: filterArgs(ctx.query),
  });
  if (limit !== undefined && limit > 0) summaries = summaries.slice(0, limit);
  const now = Date.now();
  const extra = new Map<string, Parameters<typeof containerSummary>[2]>();
  for (const c of summaries) {
    const record = ctx.engine.containers.get(c.id);
    const cfg = record.config as unknown as ContainerConfig;
    extra.set(c.id, {
      networkMode: cfg.NetworkMode,
      networks: await ctx.engine.networks.containerNetworks(record),
      mounts: inspectMounts(ctx.engine.root, cfg.Mounts),
    });
  }
  sendJson(
    ctx,
    200,
    summaries.map((c) => containerSummary(c, now, extra.get(c.id))),
  );
}

async function inspect(ctx: Ctx): Promise<void> {
  sendJson(ctx, 200, await ctx.engine.containers.inspect(id(ctx), { size: boolParam(ctx.query, "size") }));
}

async function start(ctx: Ctx): Promise<void> {
  const c = ctx.engine.containers.get(id(ctx));
  const now = await ctx.engine.containers.inspect(c.id);
  if ((now.State as { Running: boolean }).Running) return sendEmpty(ctx, 304);
  await startContainer(ctx, c.id);
  sendEmpty(ctx, 204);
}

function timeoutOf(ctx: Ctx): number | undefined {
  return intParam(ctx.query, "t");
}

async function stop(ctx: Ctx): Promise<void> {
  const c = ctx.engine.containers.get(id(ctx));
  const now = await ctx.engine.containers.inspect(c.id);
  if (!(now.State as { Running: boolean }).Running) return sendEmpty(ctx, 304);
  await ctx.engine.containers.stop(c.id, { timeout: timeoutOf(ctx) });
  sendEmpty(ctx, 204);
}

async function restart(ctx: Ctx): Promise<void> {
  const c = ctx.engine.containers.get(id(ctx));
  await ctx.engine.containers.stop(c.id, { timeout: timeoutOf(ctx) });
  // Started here (not by engine.restart) so that the service watches the new run's exit as for start.
  await startContainer(ctx, c.id);
  sendEmpty(ctx, 204);
}

/** GET /containers/{id}/export: the container's file system as a tar. */
async function exportFs(ctx: Ctx): Promise<void> {
  const tar = await ctx.engine.containers.export(id(ctx));
  const out = ctx.res as NonNullable<Ctx["res"]>;
  out.writeHead(200, { "Content-Type": "application/x-tar" });
  tar.pipe(out);
  await new Promise<void>((resolve) => {
    out.once("close", () => {
      tar.destroy();
      resolve();
    });
    tar.once("error", () => out.destroy());
  });
}

async function kill(ctx: Ctx): Promise<void> {
  await ctx.engine.containers.kill(id(ctx), { signal: ctx.query.get("signal") || undefined });
  sendEmpty(ctx, 204);
}

async function remove(ctx: Ctx): Promise<void> {
  const removed = await ctx.engine.containers.remove(id(ctx), { force: boolParam(ctx.query, "force") });
  ctx.state.dropExecsOf(removed);
  sendEmpty(ctx, 204);
}

async function rename(ctx: Ctx): Promise<void> {
  const name = ctx.query.get("name");
  if (!name) throw new HttpError(400, "Neither old nor new names may be empty");
  ctx.engine.containers.rename(id(ctx), name);
  sendEmpty(ctx, 204);
}

async function resize(ctx: Ctx): Promise<void> {
  const rows = intParam(ctx.query, "h") ?? 0;
  const columns = intParam(ctx.query, "w") ?? 0;
  await ctx.engine.containers.resize(id(ctx), { rows, columns });
  sendJson(ctx, 200, {});
}

async function prune(ctx: Ctx): Promise<void> {
  const filters = filterArgs(ctx.query);
  if (filters.length > 0)
    throw new HttpError(400, `strata does not support prune filters yet (${filters.join(", ")})`);
  const result = await ctx.engine.containers.prune();
  for (const c of result.deleted) ctx.state.dropExecsOf(c);
  sendJson(ctx, 200, {
    ContainersDeleted: result.deleted.length > 0 ? result.deleted : null,
    SpaceReclaimed: result.reclaimed,
  });
}

async function commit(ctx: Ctx): Promise<void> {
  const container = ctx.query.get("container");
  if (!container) throw new HttpError(400, "container is required");
  const body = await readJson(ctx);
  if (
    Object.values(body).some((v) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
  ) {
    throw new HttpError(400, "strata does not support a config in commit (--change) yet");
  }
  const repo = ctx.query.get("repo") ?? "";
  const tag = ctx.query.get("tag") ?? "";
  const imageId = await ctx.engine.containers.commit(container, {
    reference: repo ? (tag ? `${repo}:${tag}` : repo) : undefined,
    message: ctx.query.get("comment") || undefined,
    author: ctx.query.get("author") || undefined,
    pause: boolParam(ctx.query, "pause", true),
    changes: ctx.query.getAll("changes"),
  });
  sendJson(ctx, 201, { Id: imageId });
}

export function containerRoutes(r: Routes): void {
  r.add("POST", "/containers/create", create);
  r.add("GET", "/containers/json", list);
  r.add("POST", "/containers/prune", prune);
  r.add("GET", "/containers/:id/json", inspect);
  r.add("POST", "/containers/:id/start", start);
  r.add("POST", "/containers/:id/stop", stop);
  r.add("POST", "/containers/:id/restart", restart);
  r.add("POST", "/containers/:id/kill", kill);
  r.add("POST", "/containers/:id/rename", rename);
  r.add("POST", "/containers/:id/resize", resize);
  r.add("GET", "/containers/:id/changes", async (ctx) =>
    sendJson(ctx, 200, ctx.engine.containers.diff(id(ctx)).map(change)),
  );
  r.add("POST", "/containers/:id/pause", async (ctx) => {
    await ctx.engine.containers.pause(id(ctx));
    sendEmpty(ctx, 204);
  });
  r.add("POST", "/containers/:id/unpause", async (ctx) => {
    await ctx.engine.containers.unpause(id(ctx));
    sendEmpty(ctx, 204);
  });
  r.add("GET", "/containers/:id/export", exportFs);
  r.add("DELETE", "/containers/:id", remove);
  r.add("POST", "/commit", commit);
}
