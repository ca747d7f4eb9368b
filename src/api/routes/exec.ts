/**
 * Exec instances as Docker's daemon keeps them: created by one request
 * (`POST /containers/{id}/exec`), started by another (hijacked, or detached),
 * inspected after for their exit code. They live in the service's memory.
 */
import { isStrataError, StrataError } from "../../errors.ts";
import { closeHijackedOnError, hijack, readUpgradeBody } from "../hijack.ts";
import { type Ctx, HttpError, intParam, parseJsonBody, readBody, readJson, sendJson } from "../http.ts";
import type { Routes } from "../router.ts";
import type { ExecInstance } from "../state.ts";
import { framedWriter, STDERR, STDOUT } from "../stdcopy.ts";

function strings(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  if (typeof v === "string") return [v];
  throw new HttpError(400, "json: cannot unmarshal into []string");
}

async function create(ctx: Ctx): Promise<void> {
  const body = await readJson(ctx);
  const c = ctx.engine.containers.get(ctx.params.id ?? "");
  const info = (await ctx.engine.containers.inspect(c.id)) as {
    State: { Running: boolean; Paused: boolean };
  };
  if (info.State.Paused)
    throw new HttpError(409, `Container ${c.id} is paused, unpause the container before exec`);
  if (!info.State.Running) throw new HttpError(409, `Container ${c.id} is not running`);
  const args = strings(body.Cmd);
  if (args.length === 0) throw new HttpError(400, "No exec command specified");
  if (body.Privileged === true) throw new HttpError(400, "strata does not support privileged exec yet");
  const exec: ExecInstance = {
    id: ctx.state.newExecId(),
    containerId: c.id,
    args,
    env: strings(body.Env),
    user: typeof body.User === "string" ? body.User : "",
    workdir: typeof body.WorkingDir === "string" ? body.WorkingDir : "",
    tty: body.Tty === true,
    attachStdin: body.AttachStdin === true,
    attachStdout: body.AttachStdout === true,
    attachStderr: body.AttachStderr === true,
    privileged: false,
    detachKeys: typeof body.DetachKeys === "string" ? body.DetachKeys : "",
    running: false,
    exitCode: null,
    pid: 0,
  };
  ctx.state.execs.set(exec.id, exec);
  sendJson(ctx, 201, { Id: exec.id });
}

function find(ctx: Ctx): ExecInstance {
  const e = ctx.state.execs.get(ctx.params.id ?? "");
  if (!e) throw new HttpError(404, `No such exec instance: ${ctx.params.id}`);
  return e;
}

async function start(ctx: Ctx): Promise<void> {
  const e = find(ctx);
  const { body, rest } = ctx.socket
    ? await readUpgradeBody(ctx)
    : { body: await readBody(ctx.req), rest: Buffer.alloc(0) };
  const opts = parseJsonBody<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] | null }>(
    body,
  );
  if (e.running || e.exitCode !== null)
    throw new HttpError(409, `Error: Exec command ${e.id} is already running`);
  const size =
    opts.ConsoleSize && opts.ConsoleSize[0] > 0
      ? { rows: opts.ConsoleSize[0], columns: opts.ConsoleSize[1] }
      : e.size;
  const tty = opts.Tty ?? e.tty;
  const base = {
    args: e.args,
    env: e.env,
    cwd: e.workdir || undefined,
    user: e.user || undefined,
    tty,
    size,
    detachKeys: e.detachKeys || undefined,
    onStarted: (s: { pid: number; resize(size: { rows: number; columns: number }): void }) => {
      e.pid = s.pid;
      e.resize = (rows, columns) => s.resize({ rows, columns });
    },
  };
  e.running = true;
  if (opts.Detach) {
    try {
      await ctx.engine.containers.exec(e.containerId, { ...base, detach: true });
    } catch (err) {
      e.running = false;
      throw err;
    }
    sendJson(ctx, 200, {});
    return;
  }
  const h = hijack(ctx, !tty, rest);
  const stdout = framedWriter(h.output, STDOUT, tty);
  try {
    const code = await ctx.engine.containers.exec(e.containerId, {
      ...base,
      stdin: e.attachStdin && h.input ? h.input : undefined,
      stdout: e.attachStdout ? stdout : undefined,
      stderr: e.attachStderr ? framedWriter(h.output, STDERR, tty) : undefined,
    });
    e.exitCode = code;
    e.running = code === null;
    h.close();
  } catch (err) {
    e.running = false;
    e.exitCode = isStrataError(err) && typeof err.details.exitCode === "number" ? err.details.exitCode : 126;
    closeHijackedOnError(h, err, stdout);
  }
}

function inspect(ctx: Ctx): void {
  const e = find(ctx);
  sendJson(ctx, 200, {
    CanRemove: false,
    ContainerID: e.containerId,
    DetachKeys: e.detachKeys,
    ExitCode: e.exitCode,
    ID: e.id,
    OpenStderr: e.attachStderr,
    OpenStdin: e.attachStdin,
    OpenStdout: e.attachStdout,
    ProcessConfig: {
      arguments: e.args.slice(1),
      entrypoint: e.args[0],
      privileged: e.privileged,
      tty: e.tty,
      user: e.user,
    },
    Running: e.running,
    Pid: e.pid,
  });
}

function resize(ctx: Ctx): void {
  const e = find(ctx);
  const rows = intParam(ctx.query, "h") ?? 0;
  const columns = intParam(ctx.query, "w") ?? 0;
  if (e.resize) e.resize(rows, columns);
  else if (!e.running) e.size = { rows, columns };
  else throw new StrataError("CONFLICT", `exec ${e.id} has no terminal to resize`);
  sendJson(ctx, 200, {});
}

export function execRoutes(r: Routes): void {
  r.add("POST", "/containers/:id/exec", create);
  r.add("POST", "/exec/:id/start", start, { hijack: true });
  r.add("GET", "/exec/:id/json", inspect);
  r.add("POST", "/exec/:id/resize", resize);
}
