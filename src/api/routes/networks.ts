/**
 * Network endpoints (moby's network router) over engine.networks: list with
 * filters, inspect, create, remove, connect, disconnect and prune, in
 * Docker's shapes and with its status codes.
 */
import { isStrataError, StrataError } from "../../engine.ts";
import { type Ctx, filterArgs, HttpError, readJson, sendEmpty, sendJson } from "../http.ts";
import type { Routes } from "../router.ts";

type Body = Record<string, unknown>;

const isSet = (v: unknown) =>
  v !== undefined &&
  v !== null &&
  v !== false &&
  v !== "" &&
  !(Array.isArray(v) && v.length === 0) &&
  !(typeof v === "object" && Object.keys(v as object).length === 0);

const idOf = (ctx: Ctx) => ctx.params.id ?? "";

/** The daemon's words for a network it does not have (the CLI's "No such network" is the CLI's). */
async function found<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isStrataError(err, "NOT_FOUND") && /network/i.test((err as Error).message)) {
      throw new HttpError(404, `network ${name} not found`);
    }
    throw err;
  }
}

async function list(ctx: Ctx): Promise<void> {
  const summaries = await ctx.engine.networks.list({ filters: filterArgs(ctx.query) });
  const out = [];
  // The list gives each network as inspect does, without its containers (Docker's list omits them).
  for (const n of summaries) out.push({ ...(await ctx.engine.networks.inspect(n.id)), Containers: {} });
  sendJson(ctx, 200, out);
}

/** IPAM.Config's one subnet (and gateway); what strata cannot honour is refused, not dropped. */
function ipam(body: Body): { subnet?: string; gateway?: string } {
  const spec = (body.IPAM ?? {}) as Body;
  if (spec.Driver && spec.Driver !== "default") {
    throw new HttpError(400, `strata does not support IPAM driver ${String(spec.Driver)}`);
  }
  if (isSet(spec.Options)) throw new HttpError(400, "strata does not support IPAM options yet");
  const configs = (Array.isArray(spec.Config) ? spec.Config : []) as Body[];
  if (configs.length > 1) throw new HttpError(400, "strata supports one IPAM config (subnet) per network");
  const c = configs[0] ?? {};
  for (const f of ["IPRange", "AuxiliaryAddresses"]) {
    if (isSet(c[f])) throw new HttpError(400, `strata does not support IPAM.Config.${f} yet`);
  }
  return {
    subnet: typeof c.Subnet === "string" && c.Subnet ? c.Subnet : undefined,
    gateway: typeof c.Gateway === "string" && c.Gateway ? c.Gateway : undefined,
  };
}

async function create(ctx: Ctx): Promise<void> {
  const body = await readJson(ctx);
  if (typeof body.Name !== "string" || body.Name === "") throw new HttpError(400, "network name is required");
  for (const f of ["EnableIPv6", "Attachable", "Ingress", "ConfigOnly", "ConfigFrom", "Options", "Scope"]) {
    if (f === "Scope" && body.Scope === "local") continue;
    if (isSet(body[f])) throw new HttpError(400, `strata does not support ${f} on networks yet`);
  }
  const labels = (body.Labels ?? {}) as Record<string, unknown>;
  const id = await ctx.engine.networks.create({
    name: body.Name,
    driver: typeof body.Driver === "string" && body.Driver ? body.Driver : undefined,
    internal: body.Internal === true,
    labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])),
    ...ipam(body),
  });
  sendJson(ctx, 201, { Id: id, Warning: "" });
}

async function remove(ctx: Ctx): Promise<void> {
  try {
    await found(idOf(ctx), () => ctx.engine.networks.remove(idOf(ctx)));
  } catch (err) {
    // Docker forbids (403) removing a predefined network or one with active endpoints.
    if (err instanceof StrataError && (err.code === "IN_USE" || err.code === "CONFLICT")) {
      throw new HttpError(403, err.message);
    }
    throw err;
  }
  sendEmpty(ctx, 204);
}

function containerOf(body: Body): string {
  if (typeof body.Container !== "string" || body.Container === "") {
    throw new HttpError(400, "container is required");
  }
  return body.Container;
}

async function connect(ctx: Ctx): Promise<void> {
  const body = await readJson(ctx);
  const container = containerOf(body);
  const ep = (body.EndpointConfig ?? {}) as Body;
  const addr = (ep.IPAMConfig ?? {}) as Body;
  for (const f of ["Links", "MacAddress", "DriverOpts"]) {
    if (isSet(ep[f])) throw new HttpError(400, `strata does not support EndpointConfig.${f} yet`);
  }
  if (isSet(addr.IPv6Address) || isSet(addr.LinkLocalIPs)) {
    throw new HttpError(400, "strata does not support IPv6 or link-local endpoint addresses yet");
  }
  const aliases = Array.isArray(ep.Aliases) ? ep.Aliases.map(String) : undefined;
  const ip = typeof addr.IPv4Address === "string" && addr.IPv4Address ? addr.IPv4Address : undefined;
  await found(idOf(ctx), async () => {
    await ctx.engine.networks.get(idOf(ctx));
  });
  await ctx.engine.networks.connect(idOf(ctx), container, { aliases, ip });
  sendEmpty(ctx, 200);
}

async function disconnect(ctx: Ctx): Promise<void> {
  const body = await readJson(ctx);
  const container = containerOf(body);
  await found(idOf(ctx), async () => {
    await ctx.engine.networks.get(idOf(ctx));
  });
  await ctx.engine.networks.disconnect(idOf(ctx), container, { force: body.Force === true });
  sendEmpty(ctx, 200);
}

export function networkRoutes(r: Routes): void {
  r.add("GET", "/networks", list);
  r.add("POST", "/networks/create", create);
  r.add("POST", "/networks/prune", async (ctx) => {
    const deleted = await ctx.engine.networks.prune({ filters: filterArgs(ctx.query) });
    sendJson(ctx, 200, { NetworksDeleted: deleted.length > 0 ? deleted : null });
  });
  r.add("GET", "/networks/:id", async (ctx) =>
    sendJson(ctx, 200, await found(idOf(ctx), () => ctx.engine.networks.inspect(idOf(ctx)))),
  );
  r.add("DELETE", "/networks/:id", remove);
  r.add("POST", "/networks/:id/connect", connect);
  r.add("POST", "/networks/:id/disconnect", disconnect);
}
