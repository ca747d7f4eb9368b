/**
 * Image endpoints (moby's image router). Names may contain slashes
 * (`127.0.0.1:5000/web:v1/json`), so /images/<name>/<action> is one wildcard
 * route split here at its last segment.
 */
import type { Readable } from "node:stream";
import { globMatch } from "../../cli/glob.ts";
import { isStrataError } from "../../errors.ts";
import { familiarName, familiarString, parseNormalizedNamed } from "../../reference/index.ts";
import { apiError } from "../errors.ts";
import { boolParam, type Ctx, filterArgs, HttpError, res, sendEmpty, sendJson } from "../http.ts";
import { JsonStream } from "../progress.ts";
import type { Routes } from "../router.ts";
import { deleteRecord, historyItem, imageSummary } from "../shapes.ts";
import { push } from "./publish.ts";

/** `reference=` as Docker matches it: the familiar name, or name:tag, against a path.Match pattern. */
function referenceMatches(pattern: string, repoTags: string[]): boolean {
  return repoTags.some((t) => {
    const named = parseNormalizedNamed(t);
    const name = familiarName(named);
    return globMatch(pattern, name) || globMatch(pattern, familiarString(named));
  });
}

async function list(ctx: Ctx): Promise<void> {
  const filters = filterArgs(ctx.query);
  let images = ctx.engine.images.list({ containers: true });
  for (const f of filters) {
    const [key, value = ""] = f.split(/=(.*)/s) as [string, string?];
    if (key === "reference") images = images.filter((i) => referenceMatches(value, i.repoTags));
    else if (key === "dangling") {
      const want = value === "true" || value === "1";
      images = images.filter((i) => (i.repoTags.length === 0) === want);
    } else throw new HttpError(400, `invalid filter '${key}'`);
  }
  sendJson(
    ctx,
    200,
    images.map((i) => imageSummary(i, ctx.version)),
  );
}

/** The reference a create (pull) asks for: fromImage plus tag, which may be a digest. */
function pullReference(q: URLSearchParams): string {
  const from = q.get("fromImage") ?? "";
  const tag = q.get("tag") ?? "";
  if (!tag) return from;
  return tag.includes(":") ? `${from}@${tag}` : `${from}:${tag}`;
}

async function create(ctx: Ctx): Promise<void> {
  const out = res(ctx);
  if (ctx.query.get("fromSrc")) return importImage(ctx);
  const from = ctx.query.get("fromImage");
  if (!from) throw new HttpError(400, "fromImage or fromSrc is required");
  const stream = new JsonStream(out);
  const platform = ctx.query.get("platform");
  try {
    const { parsePlatform } = await import("../../oci/index.ts");
    await ctx.engine.images.pull(pullReference(ctx.query), {
      platform: platform ? parsePlatform(platform) : undefined,
      onProgress: stream.pullEvent,
      signal: ctx.signal,
    });
  } catch (err) {
    // Before anything was sent the error is the answer's status; after, a line of the stream.
    if (!stream.flushed) throw err;
    stream.error(apiError(err).message);
  }
  stream.end();
}

/** `docker import`: the body is the tarball (fromSrc=-). */
async function importImage(ctx: Ctx): Promise<void> {
  if (ctx.query.get("fromSrc") !== "-")
    throw new HttpError(400, "only fromSrc=- (the request body) is supported");
  const repo = ctx.query.get("repo") ?? "";
  const tag = ctx.query.get("tag") ?? "";
  const id = await ctx.engine.images.import(ctx.req as Readable, {
    reference: repo ? (tag ? `${repo}:${tag}` : repo) : undefined,
    message: ctx.query.get("message") ?? undefined,
  });
  const stream = new JsonStream(res(ctx));
  stream.write({ status: id });
  stream.end();
}

async function prune(ctx: Ctx): Promise<void> {
  let all = false;
  for (const f of filterArgs(ctx.query)) {
    const [key, value = ""] = f.split(/=(.*)/s) as [string, string?];
    if (key === "dangling") all = value === "false" || value === "0";
    else throw new HttpError(400, `invalid filter '${key}'`);
  }
  const result = await ctx.engine.images.prune({ all });
  sendJson(ctx, 200, {
    ImagesDeleted: result.records.length > 0 ? result.records.map(deleteRecord) : null,
    SpaceReclaimed: result.spaceReclaimed,
  });
}

async function save(ctx: Ctx, names: string[]): Promise<void> {
  if (names.length === 0) throw new HttpError(400, "no image names given");
  const tar = await ctx.engine.images.save(names);
  const out = res(ctx);
  out.writeHead(200, { "Content-Type": "application/x-tar" });
  tar.pipe(out);
  await new Promise<void>((resolve) => {
    out.once("close", resolve);
    tar.once("error", () => out.destroy());
  });
}

async function load(ctx: Ctx): Promise<void> {
  const loaded = await ctx.engine.images.load(ctx.req as Readable);
  const stream = new JsonStream(res(ctx));
  for (const image of loaded) {
    if (image.tags.length === 0) stream.write({ stream: `Loaded image ID: ${image.id}\n` });
    for (const t of image.tags) stream.write({ stream: `Loaded image: ${t}\n` });
  }
  stream.end();
}

/** GET /images/<name>/json|history|get. */
async function getNamed(ctx: Ctx): Promise<void> {
  const { name, action } = split(ctx);
  if (action === "json") return sendJson(ctx, 200, await ctx.engine.images.inspect(name));
  if (action === "history") {
    return sendJson(ctx, 200, (await ctx.engine.images.history(name)).map(historyItem));
  }
  if (action === "get") return save(ctx, [name]);
  throw new HttpError(404, "page not found");
}

/** POST /images/<name>/tag|push. */
async function postNamed(ctx: Ctx): Promise<void> {
  const { name, action } = split(ctx);
  if (action === "tag") {
    const repo = ctx.query.get("repo");
    if (!repo) throw new HttpError(400, "repository name must have at least one component");
    const tag = ctx.query.get("tag");
    ctx.engine.images.tag(name, tag ? `${repo}:${tag}` : repo);
    return sendEmpty(ctx, 201);
  }
  if (action === "push") return push(ctx, name);
  throw new HttpError(404, "page not found");
}

async function remove(ctx: Ctx): Promise<void> {
  const name = ctx.params["*"] ?? "";
  try {
    const records = await ctx.engine.images.remove(name, { force: boolParam(ctx.query, "force") });
    sendJson(ctx, 200, records.map(deleteRecord));
  } catch (err) {
    if (isStrataError(err, "NOT_FOUND")) throw new HttpError(404, (err as Error).message);
    throw err;
  }
}

function split(ctx: Ctx): { name: string; action: string } {
  const rest = ctx.params["*"] ?? "";
  const slash = rest.lastIndexOf("/");
  if (slash <= 0) throw new HttpError(404, "page not found");
  return { name: rest.slice(0, slash), action: rest.slice(slash + 1) };
}

export function imageRoutes(r: Routes): void {
  r.add("GET", "/images/json", list);
  r.add("POST", "/images/create", create);
  r.add("POST", "/images/prune", prune);
  r.add("GET", "/images/get", (ctx) => save(ctx, ctx.query.getAll("names")));
  r.add("POST", "/images/load", load);
  r.add("GET", "/images/*", getNamed);
  r.add("POST", "/images/*", postNamed);
  r.add("DELETE", "/images/*", remove);
}
