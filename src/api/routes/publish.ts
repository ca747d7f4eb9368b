/**
 * Push, build and auth (moby's image, build and system routers) over the
 * engine's push, build and registry calls, as Docker's JSON streams.
 */
import type { Readable } from "node:stream";
import { PlainProgress } from "../../cli/build-progress.ts";
import { humanSize } from "../../format/index.ts";
import { progressBar } from "../../format/progress-bar.ts";
import type { PushEvent } from "../../image/index.ts";
import { pushWords } from "../../image/progress-words.ts";
import { familiarString, parseNormalizedNamed } from "../../reference/index.ts";
import { apiError } from "../errors.ts";
import { type Ctx, HttpError, readJson, res, sendJson } from "../http.ts";
import { JsonStream } from "../progress.ts";
import type { Routes } from "../router.ts";

/**
 * X-Registry-Auth is the client's credentials for the registry. The service
 * authenticates with its own (`strata login`); credentials it cannot use
 * are refused rather than silently dropped.
 */
function refuseClientCredentials(ctx: Ctx): void {
  const header = ctx.req.headers["x-registry-auth"];
  if (typeof header !== "string" || header === "") return;
  let auth: Record<string, unknown> = {};
  try {
    auth = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return;
  }
  if (auth && (auth.username || auth.password || auth.identitytoken || auth.registrytoken)) {
    throw new HttpError(
      400,
      "strata system service uses its own registry credentials (strata login), not the client's X-Registry-Auth",
    );
  }
}

function pushMessage(e: PushEvent): Record<string, unknown> | null {
  switch (e.status) {
    case "repository":
      return { status: `The push refers to repository [${e.name}]` };
    case "layer":
      if (e.phase === "pushing") {
        if (e.current === undefined) return null;
        const total = e.total ?? 0;
        return {
          status: "Pushing",
          progressDetail: { current: e.current, total },
          progress: progressBar(e.current, total, 200, humanSize),
          id: e.id,
        };
      }
      return { status: pushWords(e), progressDetail: {}, id: e.id };
    case "tag":
      return null;
  }
}

/** POST /images/<name>/push?tag=: Docker's push stream, the digest line and its aux record. */
export async function push(ctx: Ctx, name: string): Promise<void> {
  refuseClientCredentials(ctx);
  const tag = ctx.query.get("tag") ?? "";
  const stream = new JsonStream(res(ctx));
  const last = new Map<string, number>();
  try {
    await ctx.engine.images.push(tag ? `${name}:${tag}` : name, {
      allTags: tag === "",
      signal: ctx.signal,
      onProgress: (e) => {
        if (e.status === "tag") {
          stream.write({ status: `${e.tag}: digest: ${e.digest} size: ${e.size}` });
          stream.write({ progressDetail: {}, aux: { Tag: e.tag, Digest: e.digest, Size: e.size } });
          return;
        }
        if (e.status === "layer" && e.phase === "pushing") {
          const now = Date.now();
          if (now - (last.get(e.id) ?? 0) < 100 && (e.current ?? 0) < (e.total ?? 0)) return;
          last.set(e.id, now);
        }
        const m = pushMessage(e);
        if (m) stream.write(m);
      },
    });
  } catch (err) {
    if (!stream.flushed) throw err;
    stream.error(apiError(err).message);
  }
  stream.end();
}

function jsonParam(q: URLSearchParams, key: string): Record<string, string> | undefined {
  const raw = q.get(key);
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Record<string, string | null>;
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null)) as Record<string, string>;
  } catch {
    throw new HttpError(400, `invalid ${key}: ${raw}`);
  }
}

/**
 * POST /build: the body is the context as a tar. The docker CLI talks to a
 * server whose Builder-Version is 1 as the classic builder's client: the
 * progress goes as `stream` lines (strata's BuildKit-style plain progress),
 * the image ID as an `aux` record, then the classic builder's last lines.
 */
async function build(ctx: Ctx): Promise<void> {
  const q = ctx.query;
  const network = q.get("networkmode") || "default";
  if (network !== "default" && network !== "host" && network !== "none") {
    throw new HttpError(400, `network mode "${network}" not supported by buildkit`);
  }
  if (q.get("remote")) throw new HttpError(400, "strata does not support remote build contexts yet");
  const stream = new JsonStream(res(ctx));
  const quiet = q.get("q") === "1" || q.get("q") === "true";
  const view = new PlainProgress((s) => {
    if (!quiet) stream.write({ stream: s });
  });
  try {
    const result = await ctx.engine.images.build({
      context: ctx.req as Readable,
      dockerfileName: q.get("dockerfile") || "Dockerfile",
      tags: q.getAll("t"),
      buildArgs: jsonParam(q, "buildargs"),
      labels: jsonParam(q, "labels"),
      target: q.get("target") || undefined,
      noCache: q.get("nocache") === "1" || q.get("nocache") === "true",
      pull: q.get("pull") === "1" || q.get("pull") === "true",
      network,
      signal: ctx.signal,
      onProgress: (e) => view.handle(e),
    });
    stream.write({ aux: { ID: result.imageId } });
    if (!quiet) {
      stream.write({ stream: `Successfully built ${result.imageId.slice(7, 19)}\n` });
      for (const t of result.tags) {
        stream.write({ stream: `Successfully tagged ${familiarString(parseNormalizedNamed(t))}\n` });
      }
    }
  } catch (err) {
    view.finishError();
    stream.error(apiError(err).message);
  }
  stream.end();
}

/** POST /auth: checks the credentials against the registry (nothing is saved, as Docker's daemon). */
async function auth(ctx: Ctx): Promise<void> {
  const body = await readJson<{ username?: string; password?: string; serveraddress?: string }>(ctx);
  if (!body.username || !body.password) throw new HttpError(400, "username and password are required");
  await ctx.engine.registries.verify(body.serveraddress || undefined, {
    username: body.username,
    password: body.password,
    signal: ctx.signal,
  });
  sendJson(ctx, 200, { Status: "Login Succeeded", IdentityToken: "" });
}

export function publishRoutes(r: Routes): void {
  r.add("POST", "/build", build);
  r.add("POST", "/auth", auth);
}
