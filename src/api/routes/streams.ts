/**
 * The container endpoints that stream: attach (hijacked), wait (headers at
 * once, the answer when the condition holds), logs (multiplexed framing
 * without a terminal), and the start that hands a waiting attach its streams.
 */
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { isStrataError } from "../../errors.ts";
import { hijack, readUpgradeBody } from "../hijack.ts";
import { boolParam, type Ctx, HttpError, readBody, res } from "../http.ts";
import type { Routes } from "../router.ts";
import { lessThan } from "../shapes.ts";
import { framedWriter, STDERR, STDOUT } from "../stdcopy.ts";

const sink = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

async function ttyOf(
  ctx: Ctx,
  id: string,
): Promise<{ tty: boolean; running: boolean; startedAt: string; finishedAt: string; exitCode: number }> {
  const i = (await ctx.engine.containers.inspect(id)) as {
    Config: { Tty: boolean };
    State: { Running: boolean; StartedAt: string; FinishedAt: string; ExitCode: number };
  };
  return {
    tty: i.Config.Tty,
    running: i.State.Running,
    startedAt: i.State.StartedAt,
    finishedAt: i.State.FinishedAt,
    exitCode: i.State.ExitCode,
  };
}

/**
 * Starts a container; an attach that waits for it gets the container's
 * streams first. The run's exit code is watched from here on, so a `wait`
 * learns it even when an --rm container is removed the moment it ends.
 */
export async function startContainer(ctx: Ctx, id: string): Promise<void> {
  const { containers } = ctx.engine;
  const pending = ctx.state.pendingAttach.get(id);
  ctx.state.pendingAttach.delete(id);
  let exit: Promise<number>;
  if (pending) {
    const session = await containers
      .start(id, {
        attach: {
          stdin: pending.stdin,
          stdout: pending.stdout,
          stderr: pending.stderr,
          detachKeys: pending.detachKeys,
        },
        // The service itself waits on every run it starts (below): an exit command settling the
        // run at the same time could remove an --rm container before the service read its exit code.
        monitorSettles: false,
      })
      .catch((err) => {
        pending.finish();
        throw err;
      });
    const done = session
      ? session.done.catch(() => ({ detached: false }))
      : Promise.resolve({ detached: false });
    exit = done.then(() => {
      pending.finish();
      return containers.wait(id);
    });
  } else {
    await containers.start(id, { monitorSettles: false });
    exit = containers.wait(id);
  }
  exit = exit.catch(() => -1);
  ctx.state.exits.set(id, exit);
  void exit.then(() => {
    if (ctx.state.exits.get(id) === exit) setTimeout(() => ctx.state.exits.delete(id), 60_000).unref();
  });
  ctx.state.started(id);
}

async function attach(ctx: Ctx): Promise<void> {
  const c = ctx.engine.containers.get(ctx.params.id ?? "");
  const info = await ttyOf(ctx, c.id);
  const q = ctx.query;
  if (!boolParam(q, "stream") && !boolParam(q, "logs")) {
    throw new HttpError(400, "Bad parameters: you must choose at least one stream");
  }
  // dockerode sends its options as a JSON body: read past it so it never reaches stdin.
  let rest: Buffer = Buffer.alloc(0);
  if (ctx.socket) rest = (await readUpgradeBody(ctx)).rest;
  else await readBody(ctx.req);
  const h = hijack(ctx, !info.tty, rest);
  const stdout = boolParam(q, "stdout") ? framedWriter(h.output, STDOUT, info.tty) : undefined;
  const stderr = boolParam(q, "stderr") ? framedWriter(h.output, STDERR, info.tty) : undefined;
  const stdin = boolParam(q, "stdin") && h.input ? h.input : undefined;
  try {
    if (boolParam(q, "logs")) {
      await ctx.engine.containers.logs(c.id, { stdout: stdout ?? sink(), stderr: stderr ?? sink() });
    }
    if (!boolParam(q, "stream")) return h.close();
    const detachKeys = q.get("detachKeys") ?? undefined;
    if (info.running) {
      await ctx.engine.containers.attach(c.id, { stdin, stdout, stderr, detachKeys });
      return h.close();
    }
    // Not running: the streams wait for the next start (`docker run` attaches before it starts).
    ctx.state.pendingAttach.set(c.id, { stdin, stdout, stderr, detachKeys, finish: () => h.close() });
    h.onGone(() => {
      const p = ctx.state.pendingAttach.get(c.id);
      if (p?.stdout === stdout) ctx.state.pendingAttach.delete(c.id);
    });
  } catch (err) {
    h.close();
    throw err;
  }
}

type Condition = "not-running" | "next-exit" | "removed";

/**
 * Resolves once the container runs again after `startedAt` (a start here or by
 * another process). `previous`: the exit this service watched for its last
 * run (kept a while after it ended), which is not a new run.
 */
async function nextStart(
  ctx: Ctx,
  id: string,
  startedAt: string,
  previous: Promise<number> | undefined,
): Promise<void> {
  let woken = false;
  const off = ctx.state.onStart(id, () => {
    woken = true;
  });
  try {
    for (let delay = 20; !woken && !ctx.signal.aborted; delay = Math.min(delay * 2, 250)) {
      if (ctx.state.exits.get(id) !== previous) return;
      const c = ctx.engine.containers.get(id);
      if ((c.startedAt ?? "") !== startedAt && c.startedAt) return;
      await sleep(delay);
    }
  } finally {
    off();
  }
}

async function wait(ctx: Ctx): Promise<void> {
  const cond = (ctx.query.get("condition") || "not-running") as Condition;
  if (!["not-running", "next-exit", "removed"].includes(cond)) {
    throw new HttpError(400, `invalid condition: "${cond}"`);
  }
  const c = ctx.engine.containers.get(ctx.params.id ?? "");
  const before = await ttyOf(ctx, c.id);
  const out = res(ctx);
  // Headers now: `docker run` sends its start only once this wait is in place.
  out.writeHead(200, { "Content-Type": "application/json" });
  out.flushHeaders();
  let code = before.exitCode;
  let error: string | undefined;
  try {
    if (!(cond === "not-running" && !before.running)) {
      // A stopped container's next exit is its next run's (`start -ai` after an earlier run here).
      const previous = ctx.state.exits.get(c.id);
      if (!before.running) await nextStart(ctx, c.id, c.startedAt ?? "", previous);
      const watched = ctx.state.exits.get(c.id);
      const current = before.running || watched !== previous ? watched : undefined;
      code = current ? await current : await ctx.engine.containers.wait(c.id);
    }
    if (cond === "removed") {
      for (let delay = 20; !ctx.signal.aborted; delay = Math.min(delay * 2, 500)) {
        try {
          ctx.engine.containers.get(c.id);
        } catch (err) {
          if (isStrataError(err, "NOT_FOUND")) break;
          throw err;
        }
        await sleep(delay);
      }
    }
  } catch (err) {
    if (!isStrataError(err, "NOT_FOUND")) error = (err as Error).message;
  }
  const body: Record<string, unknown> = { StatusCode: code };
  if (error !== undefined) body.Error = { Message: error };
  out.end(`${JSON.stringify(body)}\n`);
}

async function logs(ctx: Ctx): Promise<void> {
  const q = ctx.query;
  const wantOut = boolParam(q, "stdout");
  const wantErr = boolParam(q, "stderr");
  if (!wantOut && !wantErr) throw new HttpError(400, "Bad parameters: you must choose at least one stream");
  // Unix seconds (fractions allowed), as the docker CLI sends --since/--until; 0 means not given.
  const time = (k: string) => {
    const v = q.get(k);
    if (!v || v === "0") return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new HttpError(400, `invalid value for "${k}": ${v}`);
    return n * 1000;
  };
  const since = time("since");
  const until = time("until");
  const c = ctx.engine.containers.get(ctx.params.id ?? "");
  const { tty } = await ttyOf(ctx, c.id);
  const tailRaw = q.get("tail") ?? "all";
  const tail = tailRaw === "all" || tailRaw === "" ? undefined : Number(tailRaw);
  if (tail !== undefined && !Number.isInteger(tail)) throw new HttpError(400, `invalid tail: ${tailRaw}`);
  const out = res(ctx);
  const type =
    !tty && !lessThan(ctx.version, "1.42")
      ? "application/vnd.docker.multiplexed-stream"
      : "application/vnd.docker.raw-stream";
  out.writeHead(200, { "Content-Type": type });
  out.flushHeaders();
  await ctx.engine.containers.logs(c.id, {
    stdout: wantOut ? framedWriter(out, STDOUT, tty) : sink(),
    stderr: wantErr ? framedWriter(out, STDERR, tty) : sink(),
    follow: boolParam(q, "follow"),
    tail,
    timestamps: boolParam(q, "timestamps"),
    since,
    until,
    signal: ctx.signal,
  });
  out.end();
}

export function streamRoutes(r: Routes): void {
  r.add("POST", "/containers/:id/attach", attach, { hijack: true });
  r.add("POST", "/containers/:id/wait", wait);
  r.add("GET", "/containers/:id/logs", logs);
}
