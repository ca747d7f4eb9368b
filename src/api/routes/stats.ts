/** What runs in a container and what it uses: `top` and `stats` (moby's container router). */
import { boolParam, type Ctx, res, sendJson } from "../http.ts";
import type { Routes } from "../router.ts";

const id = (ctx: Ctx) => ctx.params.id ?? "";

async function top(ctx: Ctx): Promise<void> {
  sendJson(ctx, 200, await ctx.engine.containers.top(id(ctx), ctx.query.get("ps_args") ?? ""));
}

/**
 * stream=true (the default): one JSON sample per line every second until the
 * client goes away or the container is removed. stream=false: one sample
 * with the previous second's CPU figures, or at once with one-shot=true.
 */
async function stats(ctx: Ctx): Promise<void> {
  const name = id(ctx);
  if (!boolParam(ctx.query, "stream", true)) {
    const oneShot = boolParam(ctx.query, "one-shot");
    return sendJson(ctx, 200, await ctx.engine.containers.stats(name, { oneShot }));
  }
  // The lookup happens before the headers, so a missing container is still a 404.
  const samples = ctx.engine.containers.statsStream(name, { signal: ctx.signal });
  const first = await samples.next();
  const out = res(ctx);
  out.writeHead(200, { "Content-Type": "application/json" });
  if (!first.done) out.write(`${JSON.stringify(first.value)}\n`);
  for await (const v of samples) out.write(`${JSON.stringify(v)}\n`);
  out.end();
}

export function statsRoutes(r: Routes): void {
  r.add("GET", "/containers/:id/top", top);
  r.add("GET", "/containers/:id/stats", stats);
}
