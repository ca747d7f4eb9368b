/**
 * /containers/{id}/archive (moby's copy routes): HEAD and GET carry the
 * path's stat as base64 JSON in X-Docker-Container-Path-Stat, which
 * `docker cp` reads before it copies; GET streams the tar, PUT unpacks one.
 */
import type { Readable } from "node:stream";
import { boolParam, type Ctx, HttpError, res } from "../http.ts";
import type { Routes } from "../router.ts";

const STAT_HEADER = "X-Docker-Container-Path-Stat";

function pathOf(ctx: Ctx): string {
  const path = ctx.query.get("path");
  if (!path) throw new HttpError(400, "path is required");
  return path;
}

const encodeStat = (stat: object) => Buffer.from(JSON.stringify(stat)).toString("base64");

async function head(ctx: Ctx): Promise<void> {
  const stat = await ctx.engine.containers.statPath(ctx.params.id ?? "", pathOf(ctx));
  const out = res(ctx);
  out.writeHead(200, { [STAT_HEADER]: encodeStat(stat), "Content-Type": "application/json" });
  out.end();
}

async function get(ctx: Ctx): Promise<void> {
  const { stat, stream } = await ctx.engine.containers.archive(ctx.params.id ?? "", pathOf(ctx));
  const out = res(ctx);
  out.writeHead(200, { [STAT_HEADER]: encodeStat(stat), "Content-Type": "application/x-tar" });
  stream.pipe(out);
  await new Promise<void>((resolve) => {
    out.once("close", () => {
      stream.destroy();
      resolve();
    });
    stream.once("error", () => out.destroy());
  });
}

async function put(ctx: Ctx): Promise<void> {
  await ctx.engine.containers.putArchive(ctx.params.id ?? "", pathOf(ctx), ctx.req as Readable, {
    keepOwners: boolParam(ctx.query, "copyUIDGID"),
  });
  const out = res(ctx);
  out.writeHead(200, { "Content-Length": 0 });
  out.end();
}

export function archiveRoutes(r: Routes): void {
  r.add("HEAD", "/containers/:id/archive", head);
  r.add("GET", "/containers/:id/archive", get);
  r.add("PUT", "/containers/:id/archive", put);
}
