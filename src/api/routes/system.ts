/** _ping, version, info, system/df: the endpoints clients ask first (moby's system router). */

import { type Ctx, filterArgs, HttpError, res, sendJson } from "../http.ts";
import type { Routes } from "../router.ts";
import { containerSummary, imageSummary } from "../shapes.ts";

function ping(ctx: Ctx): void {
  const out = res(ctx);
  out.setHeader("Cache-Control", "no-cache, no-store, must-revalidate");
  out.setHeader("Pragma", "no-cache");
  // strata builds with the classic builder's semantics.
  out.setHeader("Builder-Version", "1");
  out.setHeader("Swarm", "inactive");
  out.setHeader("Content-Type", "text/plain; charset=utf-8");
  if (ctx.req.method === "HEAD") {
    out.setHeader("Content-Length", "0");
    out.end();
    return;
  }
  out.setHeader("Content-Length", "2");
  out.end("OK");
}

async function df(ctx: Ctx): Promise<void> {
  const types = ctx.query.getAll("type");
  for (const t of types) {
    if (!["container", "image", "volume", "build-cache"].includes(t))
      throw new HttpError(400, `unknown object type: ${t}`);
  }
  const want = (t: string) => types.length === 0 || types.includes(t);
  const u = await ctx.engine.system.df();
  const now = Date.now();
  sendJson(ctx, 200, {
    LayersSize: want("image") ? u.layersSize : 0,
    Images: want("image") ? u.images.map((i) => imageSummary(i, ctx.version)) : null,
    Containers: want("container") ? u.containers.map((c) => containerSummary(c, now)) : null,
    Volumes: want("volume") ? volumesUsage(ctx, u.volumes) : null,
    BuildCache: want("build-cache") ? [] : null,
  });
}

/** The event stream: what strata did since `since`, then new events until `until` or the client leaves. */
async function events(ctx: Ctx): Promise<void> {
  const gen = await ctx.engine.system.events({
    since: ctx.query.get("since") || undefined,
    until: ctx.query.get("until") || undefined,
    filters: filterArgs(ctx.query),
    signal: ctx.signal,
  });
  const out = res(ctx);
  out.writeHead(200, { "Content-Type": "application/json" });
  out.flushHeaders();
  for await (const e of gen) out.write(`${JSON.stringify(e)}\n`);
  out.end();
}

/** Docker's df volume objects: the volume with UsageData (its size and how many containers use it). */
function volumesUsage(ctx: Ctx, volumes: { name: string; links: number; size: number }[]): unknown[] {
  const usage = new Map(volumes.map((u) => [u.name, u]));
  return ctx.engine.volumes.list().map((v) => ({
    ...v,
    UsageData: { RefCount: usage.get(v.Name)?.links ?? 0, Size: usage.get(v.Name)?.size ?? -1 },
  }));
}

export function systemRoutes(r: Routes): void {
  r.add("GET", "/events", events);
  r.add(["GET", "HEAD"], "/_ping", ping);
  r.add("GET", "/version", async (ctx) => sendJson(ctx, 200, await ctx.engine.system.version()));
  r.add("GET", "/info", async (ctx) => sendJson(ctx, 200, await ctx.engine.system.info()));
  r.add("GET", "/system/df", df);
}
