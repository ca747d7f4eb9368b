/** What runs in a container and what it uses: `top` and `stats` (moby's container router). */
import { type Ctx, sendJson } from "../http.ts";
import type { Routes } from "../router.ts";

const id = (ctx: Ctx) => ctx.params.id ?? "";

async function top(ctx: Ctx): Promise<void> {
  sendJson(ctx, 200, await ctx.engine.containers.top(id(ctx), ctx.query.get("ps_args") ?? ""));
}

export function statsRoutes(r: Routes): void {
  r.add("GET", "/containers/:id/top", top);
}
