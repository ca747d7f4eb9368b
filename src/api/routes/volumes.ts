/** Volume endpoints (moby's volume router) over engine.volumes. */
import { type Ctx, filterArgs, HttpError, readJson, sendEmpty, sendJson } from "../http.ts";
import type { Routes } from "../router.ts";

async function create(ctx: Ctx): Promise<void> {
  const body = await readJson<{
    Name?: string;
    Driver?: string;
    DriverOpts?: Record<string, string>;
    Labels?: Record<string, string>;
  }>(ctx);
  const volume = ctx.engine.volumes.create({
    name: body.Name || undefined,
    driver: body.Driver || undefined,
    labels: body.Labels ?? undefined,
    options: body.DriverOpts && Object.keys(body.DriverOpts).length > 0 ? body.DriverOpts : undefined,
  });
  sendJson(ctx, 201, volume);
}

function name(ctx: Ctx): string {
  const n = ctx.params.name;
  if (!n) throw new HttpError(400, "volume name is required");
  return n;
}

export function volumeRoutes(r: Routes): void {
  r.add("GET", "/volumes", (ctx) =>
    sendJson(ctx, 200, {
      Volumes: ctx.engine.volumes.list({ filters: filterArgs(ctx.query) }),
      Warnings: null,
    }),
  );
  r.add("POST", "/volumes/create", create);
  r.add("POST", "/volumes/prune", (ctx) => {
    const result = ctx.engine.volumes.prune({ filters: filterArgs(ctx.query) });
    sendJson(ctx, 200, {
      VolumesDeleted: result.deleted.length > 0 ? result.deleted : null,
      SpaceReclaimed: result.reclaimed,
    });
  });
  r.add("GET", "/volumes/:name", (ctx) => sendJson(ctx, 200, ctx.engine.volumes.inspect(name(ctx))));
  r.add("DELETE", "/volumes/:name", (ctx) => {
    ctx.engine.volumes.remove(name(ctx), {
      force: ctx.query.get("force") === "1" || ctx.query.get("force") === "true",
    });
    sendEmpty(ctx, 204);
  });
}
