/**
 * One build: Dockerfile → plan → stages (independent ones at once) → image.
 * Every instruction advances the stage's cache key (parent key + what the
 * instruction resolved to, + the content of COPY/ADD sources); a key found
 * in the cache restores the state it produced (layers, config, history and
 * its times), so an identical rebuild writes the identical image. Steps that
 * change files run over an overlay snapshot whose upper directory is
 * ingested as the layer, exactly as `commit` does.
 */
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, posix } from "node:path";
import type { Digest } from "../digest/index.ts";
import { StrataError } from "../errors.ts";
import { acquireLease, type Lease, withIngestLock } from "../gc/index.ts";
import { parseConfig } from "../image/config.ts";
import type { ImageService } from "../image/index.ts";
import { recordImage } from "../image/record.ts";
import type { BuildCacheRecords, ImageRecord } from "../metadata/index.ts";
import { hostPlatform } from "../oci/index.ts";
import { parseNormalizedNamed, parseReference, type Reference, referenceString } from "../reference/index.ts";
import type { Store } from "../store/index.ts";
import { type BuildContext, type ContextEntry, loadContext } from "./context.ts";
import {
  type CopySource,
  cleanInRoot,
  copyInto,
  globRegExp,
  hasWildcard,
  mkdirInRoot,
  notFound,
  resolveInRoot,
  writeSourceFile,
} from "./copy.ts";
import { type DispatchContext, history, resolveMeta, shellOf, workdirPath } from "./dispatch.ts";
import type { Instruction } from "./instructions.ts";
import { parseInstruction } from "./instructions.ts";
import { BuildNetwork, cleanStaleBuildNetworks, type Sandbox } from "./network.ts";
import { parseLine } from "./parser.ts";
import { pinImage, pinLayers } from "./pins.ts";
import { type BuildListener, Progress, type Vertex } from "./progress.ts";
import { cleanStaleBuildContainers, runStep } from "./run.ts";
import { ShellLex } from "./shell-lex.ts";
import { cleanStaleBuilds, StepSnapshot } from "./snapshot.ts";
import { type Dockerfile, findStage, parseStages, plan, type Stage } from "./stages.ts";
import { buildEnv, buildTime, cloneState, DEFAULT_PATH_ENV, type Json, type StageState } from "./state.ts";

export interface BuildOptions {
  /** The context directory; null for a Dockerfile without context (`build -`). */
  context: string | null;
  /** The Dockerfile's text. */
  dockerfile: string;
  /** Its name, for progress (`Dockerfile`). */
  dockerfileName?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  labels?: Record<string, string>;
  network?: "default" | "host" | "none";
  onProgress?: BuildListener;
  signal?: AbortSignal;
}

export interface BuildResult {
  imageId: Digest;
  tags: string[];
}

const PROXY_ARGS = new Set([
  "HTTP_PROXY",
  "http_proxy",
  "HTTPS_PROXY",
  "https_proxy",
  "FTP_PROXY",
  "ftp_proxy",
  "NO_PROXY",
  "no_proxy",
  "ALL_PROXY",
  "all_proxy",
]);

const FS_KINDS = new Set(["run", "copy", "add", "workdir"]);

const sha = (s: string) => `sha256:${createHash("sha256").update(s).digest("hex")}`;

function frontendError(err: unknown): never {
  if (err instanceof StrataError && err.details.dockerfile) {
    throw new StrataError(
      "INVALID_ARGUMENT",
      `failed to solve with frontend dockerfile.v0: failed to create LLB definition: ${err.message}`,
      { details: { build: true } },
    );
  }
  throw err;
}

interface StageResult {
  state: StageState;
  key: string;
}

interface BaseImage {
  id: Digest;
  chain: Digest[];
  config: Json;
  display: string;
}

export class Builder {
  private readonly progress: Progress;
  private readonly cache: BuildCacheRecords;
  private readonly lex: ShellLex;
  private readonly df: Dockerfile;
  private readonly dispatchCtx: DispatchContext;
  private readonly epoch?: number;
  private context?: Promise<BuildContext>;
  private contextVertexShown = false;
  private readonly results = new Map<number, Promise<StageResult>>();
  private readonly bases = new Map<string, Promise<BaseImage>>();
  private readonly totals = new Map<number, number>();
  private readonly counters = new Map<number, number>();
  private readonly named: boolean;
  private readonly snapshots = new Set<StepSnapshot>();
  /** Held while build() runs: what the build stands on (pins.ts). */
  private lease?: Lease;
  /** RUN's sandboxes on the default bridge, made on first use, removed when the build ends. */
  private network?: BuildNetwork;
  private bridged = false;

  constructor(
    private readonly store: Store,
    private readonly images: ImageService,
    private readonly opts: BuildOptions,
  ) {
    this.progress = new Progress(opts.onProgress);
    this.cache = store.meta.buildCache;
    const name = opts.dockerfileName ?? "Dockerfile";
    const v1 = this.progress.vertex(`[internal] load build definition from ${name}`).start();
    v1.status(`transferring dockerfile: ${Buffer.byteLength(opts.dockerfile)}B done`);
    try {
      this.df = parseStages(opts.dockerfile);
    } catch (err) {
      v1.done();
      this.dockerignoreVertex();
      frontendError(err);
    }
    v1.done();
    this.dockerignoreVertex();
    this.lex = new ShellLex(this.df.directives.escape);
    const args = opts.buildArgs ?? {};
    const epochText = args.SOURCE_DATE_EPOCH ?? process.env.SOURCE_DATE_EPOCH;
    if (epochText !== undefined && epochText !== "") {
      if (!/^\d+$/.test(epochText)) {
        throw new StrataError("INVALID_ARGUMENT", `invalid SOURCE_DATE_EPOCH: ${epochText}`);
      }
      this.epoch = Number(epochText);
    }
    this.dispatchCtx = { lex: this.lex, buildArgs: args, metaEnv: [] };
    this.named = this.df.stages.length > 1;
  }

  private dockerignoreVertex(): void {
    const v = this.progress.vertex("[internal] load .dockerignore").start();
    let bytes = 2;
    if (this.opts.context) {
      try {
        bytes = statSync(join(this.opts.context, ".dockerignore")).size || 2;
      } catch {}
    }
    v.status(`transferring context: ${bytes}B done`);
    v.done();
  }

  async build(): Promise<BuildResult> {
    const tags = (this.opts.tags ?? []).map((t) => parseTag(t));
    // A lease, not the GC lock, for the whole build: rmi and prune need not wait for a long RUN,
    // and spare what the lease pins. The lock is held only while a step's layer is written.
    this.lease = acquireLease(this.store, "build");
    try {
      cleanStaleBuildContainers(this.store.root);
      await cleanStaleBuildNetworks(this.store);
      cleanStaleBuilds(this.store);
      let p: ReturnType<typeof plan>;
      try {
        p = plan(this.df, { target: this.opts.target, buildArgs: this.opts.buildArgs });
      } catch (err) {
        frontendError(err);
      }
      const { metaArgValues } = await import("./stages.ts");
      this.dispatchCtx.metaEnv = metaArgValues(this.df, this.opts.buildArgs ?? {});
      // Base images first, as BuildKit's "load metadata" vertices.
      for (const s of p.stages) {
        const name = p.baseNames.get(s.index) as string;
        if (name !== "scratch" && !findStage(this.df.stages, name, s.index)) this.base(name, s.from.platform);
      }
      for (const s of p.stages) {
        this.totals.set(s.index, 1 + s.steps.filter((i) => FS_KINDS.has(i.kind)).length);
      }
      for (const s of p.stages)
        this.results.set(s.index, this.runStage(s, p.baseNames.get(s.index) as string));
      this.prefetchContext(p.stages);
      this.bridged = this.bridgedRuns(p.stages);
      // Failures in stages the target does not wait for still fail the build, as in BuildKit.
      const all = await Promise.allSettled([...this.results.values()]);
      const failed = all.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const result = await (this.results.get(p.target.index) as Promise<StageResult>);
      return this.export(result.state, tags);
    } finally {
      for (const s of this.snapshots) s.remove();
      await this.network?.close();
      this.lease.release();
      this.lease = undefined;
    }
  }

  private base(name: string, platform?: string): Promise<BaseImage> {
    let b = this.bases.get(name);
    if (!b) {
      b = this.loadBase(name, platform);
      b.catch(() => {});
      this.bases.set(name, b);
    }
    return b;
  }

  private pins(): Lease {
    if (!this.lease) throw new StrataError("INTERNAL", "a build step ran outside build()");
    return this.lease;
  }

  /** The base image's ID: the stored one (unless `--pull`), else pulled. */
  private async resolveBase(name: string, platform: string | undefined, pull: boolean): Promise<Digest> {
    if (!pull) {
      try {
        return this.images.get(name).image.id;
      } catch (err) {
        if (!(err instanceof StrataError && err.code === "NOT_FOUND")) throw err;
      }
    }
    const { parsePlatform } = await import("../oci/index.ts");
    const r = await this.images.pull(name, {
      signal: this.opts.signal,
      platform: platform ? parsePlatform(platform) : undefined,
    });
    return r.imageId;
  }

  private async loadBase(name: string, platform?: string): Promise<BaseImage> {
    let ref: Reference;
    try {
      ref = parseReference(name);
    } catch (err) {
      throw new StrataError(
        "INVALID_ARGUMENT",
        `failed to parse stage name "${name}": ${(err as Error).message}`,
      );
    }
    const display = referenceString(ref);
    const v = this.progress.vertex(`[internal] load metadata for ${display}`).start();
    try {
      // An rmi or prune between finding the base and pinning it came first: pull it again.
      let image: ImageRecord | undefined;
      for (let attempt = 1; !image; attempt++) {
        const id = await this.resolveBase(name, platform, (this.opts.pull ?? false) || attempt > 1);
        image = pinImage(this.store, this.pins(), id);
        if (!image && attempt === 3) throw new StrataError("NOT_FOUND", `No such image: ${display}`);
      }
      const config = parseConfig(this.store.content.read(image.id)).raw;
      v.done();
      return { id: image.id, chain: image.chain, config, display };
    } catch (err) {
      v.fail((err as Error).message);
      throw err;
    }
  }

  private stepName(stage: Stage, text: string): string {
    const total = this.totals.get(stage.index) as number;
    const n = (this.counters.get(stage.index) ?? 0) + 1;
    this.counters.set(stage.index, n);
    const width = String(total).length;
    const prefix = this.named ? `${stage.name ?? `stage-${stage.index}`} ` : "";
    return `[${prefix}${String(n).padStart(width)}/${total}] ${text}`;
  }

  private async initialState(
    stage: Stage,
    baseName: string,
  ): Promise<{ state: StageState; key: string; display: string; cached: boolean }> {
    const fromStage = findStage(this.df.stages, baseName, stage.index);
    if (fromStage) {
      const r = await (this.results.get(fromStage.index) as Promise<StageResult>);
      return { state: cloneState(r.state), key: r.key, display: baseName, cached: true };
    }
    const platform = hostPlatform();
    if (baseName === "scratch") {
      const state: StageState = {
        architecture: platform.architecture,
        os: platform.os,
        config: { Env: [DEFAULT_PATH_ENV] },
        history: [],
        diffIds: [],
        chain: [],
        args: [],
        cmdSet: false,
      };
      return { state, key: sha("FROM scratch"), display: "scratch", cached: true };
    }
    const base = await this.base(baseName, stage.from.platform);
    const raw = parseConfig(this.store.content.read(base.id)).raw;
    const config = { ...((raw.config as Json | null) ?? {}) };
    if (!config.Env) config.Env = [DEFAULT_PATH_ENV];
    const state: StageState = {
      architecture: (raw.architecture as string) || platform.architecture,
      os: (raw.os as string) || platform.os,
      variant: raw.variant as string | undefined,
      config,
      history: [...((raw.history as StageState["history"]) ?? [])],
      diffIds: [...((raw.rootfs as { diff_ids: Digest[] }).diff_ids ?? [])],
      chain: [...base.chain],
      args: [],
      cmdSet: false,
    };
    const key = sha(`FROM ${base.id}`);
    return { state, key, display: base.display, cached: this.cache.get(key) !== undefined };
  }

  private async runStage(stage: Stage, baseName: string): Promise<StageResult> {
    await Promise.resolve();
    const init = await this.initialState(stage, baseName);
    const v = this.progress.vertex(this.stepName(stage, `FROM ${init.display}`), init.key).start();
    if (init.cached && !this.opts.noCache) v.cached();
    else {
      this.cache.put(record(init.key, null, `FROM ${init.display}`, init.state, null, 0));
      v.done();
    }
    let state = init.state;
    let key = init.key;
    // A base's ONBUILD triggers run first, then are cleared (Docker does not inherit them).
    const triggers = (state.config.OnBuild as string[] | null | undefined) ?? [];
    const steps: Instruction[] = [];
    for (const t of triggers)
      steps.push(parseInstruction(parseLine(t, stage.from.line, this.df.directives.escape)));
    if (triggers.length > 0) state.config.OnBuild = null;
    steps.push(...stage.steps);
    for (const ins of steps) {
      this.opts.signal?.throwIfAborted();
      ({ state, key } = await this.step(stage, ins, state, key));
    }
    return { state, key };
  }

  private now(): string {
    return buildTime(this.epoch);
  }

  private lookup(key: string): StageState | undefined {
    if (this.opts.noCache) return undefined;
    const rec = this.cache.get(key);
    if (!rec) return undefined;
    // A record whose layers were removed since is no hit; a hit's layers stay pinned until the build ends.
    if (!pinLayers(this.store, this.pins(), rec.chain)) return undefined;
    this.cache.touch(key);
    return JSON.parse(rec.state) as StageState;
  }

  private async step(
    stage: Stage,
    ins: Instruction,
    state: StageState,
    parent: string,
  ): Promise<StageResult> {
    if (!FS_KINDS.has(ins.kind)) {
      const r = resolveMeta(ins, state, this.dispatchCtx);
      const key = sha(`${parent}\n${ins.kind}\n${JSON.stringify(r.payload)}`);
      const hit = this.lookup(key);
      if (hit) return { state: hit, key };
      const next = cloneState(state);
      r.apply(next, this.now());
      this.cache.put(record(key, parent, r.description, next, null, 0));
      return { state: next, key };
    }
    if (ins.kind === "workdir") return this.workdir(stage, ins, state, parent);
    if (ins.kind === "run") return this.run(stage, ins, state, parent);
    if (ins.kind === "copy" || ins.kind === "add") return this.copy(stage, ins, state, parent);
    throw new StrataError("INTERNAL", `unhandled instruction ${ins.kind}`);
  }

  /** Runs `work` in a fresh snapshot, ingests its upper as the step's layer, records the result. */
  private async fsStep(
    v: Vertex,
    key: string,
    parent: string,
    description: string,
    state: StageState,
    historyText: string,
    work: (snap: StepSnapshot) => Promise<void>,
  ): Promise<StageResult> {
    const hit = this.lookup(key);
    if (hit) {
      v.cached();
      return { state: hit, key };
    }
    v.start();
    // The first step that runs starts the bridge sandbox a later RUN will want: netavark works meanwhile.
    // (Not before: a fully cached build needs none.)
    if (this.bridged) {
      this.network ??= new BuildNetwork(this.store);
      this.network.prepare();
    }
    const snap = StepSnapshot.create(this.store);
    this.snapshots.add(snap);
    try {
      await work(snap);
      snap.unmount();
      const next = cloneState(state);
      // Loaded when a step first writes a layer: a fully cached build never needs the archive code.
      const { ingestUpper } = await import("../image/ingest.ts");
      // The GC lock from staging to the pin: no collection sees the layer before it is held.
      const layer = await withIngestLock(this.store, async () => {
        if (snap.upperEmpty()) return null;
        const l = await ingestUpper(
          this.store,
          snap.upper,
          state.chain.at(-1) ?? null,
          this.epoch === undefined ? {} : { clampMtime: this.epoch },
        );
        this.pins().pin([{ type: "layer", key: l.chainId }]);
        return l;
      });
      if (layer) {
        next.chain.push(layer.chainId);
        next.diffIds.push(layer.diffId);
      }
      history(next, this.now(), historyText, layer === null);
      this.cache.put(record(key, parent, description, next, layer?.chainId ?? null, layer?.size ?? 0));
      v.done();
      return { state: next, key };
    } catch (err) {
      v.fail(err instanceof Error ? err.message : String(err));
      throw err;
    } finally {
      snap.remove();
      this.snapshots.delete(snap);
    }
  }

  private async workdir(
    stage: Stage,
    ins: Extract<Instruction, { kind: "workdir" }>,
    state: StageState,
    parent: string,
  ) {
    const path = workdirPath(ins, state, this.lex);
    const v = this.progress.vertex(this.stepName(stage, `WORKDIR ${path}`));
    const key = sha(`${parent}\nworkdir\n${path}`);
    const withDir = cloneState(state);
    withDir.config.WorkingDir = path;
    const r = await this.fsStep(
      v,
      key,
      parent,
      `WORKDIR ${path}`,
      withDir,
      `WORKDIR ${path}`,
      async (snap) => {
        const root = snap.mountRw(state.chain, false);
        mkdirInRoot(root, path, { uid: 0, gid: 0 });
      },
    );
    return r;
  }

  private async run(
    stage: Stage,
    ins: Extract<Instruction, { kind: "run" }>,
    state: StageState,
    parent: string,
  ) {
    const env = buildEnv(state);
    const shell = shellOf(state);
    let args: string[];
    let script: { name: string; content: string } | undefined;
    const heredocs = ins.heredocs;
    if (ins.json) args = ins.args;
    else if (heredocs.length > 0 && (ins.args[0] ?? "").trim().match(/^<<-?["']?\w+["']?$/)) {
      const h = heredocs[0] as (typeof heredocs)[number];
      if (h.content.startsWith("#!")) {
        script = { name: h.name, content: h.content };
        args = [...shell, `/dev/pipes/${h.name}`];
      } else args = [...shell, h.content];
    } else {
      let full = ins.args[0] as string;
      for (const h of heredocs) full += `\n${h.content}${h.name}`;
      args = [...shell, full];
    }
    const display = this.lex.processRaw(ins.text, env);
    const v = this.progress.vertex(this.stepName(stage, display));
    const network = ins.network ?? this.opts.network ?? "default";
    const user = (state.config.User as string | undefined) ?? "";
    const cwd = (state.config.WorkingDir as string | undefined) || "/";
    const proxies = Object.entries(this.opts.buildArgs ?? {})
      .filter(([k]) => PROXY_ARGS.has(k))
      .map(([k, val]) => `${k}=${val}`);
    const key = sha(`${parent}\nrun\n${JSON.stringify({ args, env, user, cwd, network, script })}`);
    const buildArgs = state.args.map((a) => {
      const fromEnv = env.find((e) => e.startsWith(`${a.key}=`));
      return `${a.key}=${fromEnv ? fromEnv.slice(a.key.length + 1) : (a.value ?? "")}`;
    });
    const prefix = buildArgs.length > 0 ? `|${buildArgs.length} ${buildArgs.join(" ")} ` : "";
    const historyText = `RUN ${prefix}${args.join(" ")} # buildkit`;
    return this.fsStep(v, key, parent, `RUN ${args.join(" ")}`, state, historyText, async (snap) => {
      snap.mountRw(state.chain, true);
      const binds: { source: string; destination: string }[] = [];
      if (script) {
        const dir = join(snap.dir, "pipes");
        mkdirSync(dir, { recursive: true });
        writeSourceFile(join(dir, script.name), script.content, 0o755);
        binds.push({ source: join(dir, script.name), destination: `/dev/pipes/${script.name}` });
      }
      let pending = "";
      const flushLines = (final: boolean) => {
        const lines = pending.split("\n");
        pending = final ? "" : (lines.pop() as string);
        for (const l of final ? lines.filter((x, i) => x !== "" || i < lines.length - 1) : lines) v.log(l);
      };
      const sandbox = network === "default" ? await this.sandbox() : undefined;
      try {
        await runStep(snap, {
          args,
          env: [...env, ...proxies.filter((p) => !env.some((e) => e.startsWith(p.split("=")[0] as string)))],
          user,
          cwd,
          network: sandbox ?? (network === "none" ? "none" : "host"),
          binds,
          signal: this.opts.signal,
          onOutput: (_s, d) => {
            pending += d.toString("utf8");
            flushLines(false);
          },
        });
      } finally {
        flushLines(true);
        if (sandbox) this.network?.release(sandbox);
      }
    });
  }

  /** Whether a RUN of the build uses the default network (then a bridge sandbox is made early). */
  private bridgedRuns(stages: Stage[]): boolean {
    return stages.some((s) =>
      s.steps.some((i) => i.kind === "run" && (i.network ?? this.opts.network ?? "default") === "default"),
    );
  }

  /** A namespace on the default bridge for a RUN (network.ts). */
  private sandbox(): Promise<Sandbox> {
    this.network ??= new BuildNetwork(this.store);
    return this.network.acquire();
  }

  /**
   * Walks the context while the first steps run (a RUN waits on its container), as BuildKit
   * transfers it alongside them, when a COPY/ADD will need it. The walk is synchronous:
   * scheduled after this turn, it starts once the first RUN's container has been spawned.
   */
  private prefetchContext(stages: Stage[]): void {
    if (!this.opts.context) return;
    const needs = stages.some((s) =>
      s.steps.some((i) => (i.kind === "copy" || i.kind === "add") && i.from === undefined),
    );
    if (!needs) return;
    setImmediate(() => {
      // Not after the build ended (a failure before any step waited).
      if (this.lease && !this.opts.signal?.aborted) this.contextOnce().catch(() => {});
    });
  }

  private contextOnce(): Promise<BuildContext> {
    if (!this.context) {
      const v = this.progress.vertex("[internal] load build context").start();
      this.contextVertexShown = true;
      this.context = loadContext(this.opts.context, this.store.meta.fileHashes).then((c) => {
        return c;
      });
      this.context.then(
        () => {},
        (err) => v.fail((err as Error).message),
      );
      this.contextVertex = v;
    }
    return this.context;
  }

  private contextVertex?: Vertex;

  private async copy(
    stage: Stage,
    ins: Extract<Instruction, { kind: "copy" | "add" }>,
    state: StageState,
    parent: string,
  ) {
    const env = buildEnv(state);
    const word = (w: string) => this.lex.processWord(w, env);
    const display = this.lex.processRaw(ins.text, env);
    const cwd = (state.config.WorkingDir as string | undefined) || "/";
    let dest = word(ins.dest);
    const trailing = dest.endsWith("/") || dest.endsWith("/.") || dest === ".";
    dest = posix.isAbsolute(dest) ? dest : posix.join(cwd, dest);
    const chown = ins.chown === undefined ? undefined : word(ins.chown);
    const chmod = ins.chmod === undefined ? undefined : Number.parseInt(ins.chmod, 8);
    const from = ins.from === undefined ? undefined : word(ins.from);
    const heredocNames = new Set(ins.heredocs.map((h) => h.name));
    const sources = ins.sources.filter((s) => !heredocNames.has(s.replace(/^<<-?["']?|["']?$/g, "")));
    const heredocs = ins.heredocs.map((h) => ({
      name: h.name,
      content: h.expand ? this.lex.processWord(h.content, env) : h.content,
    }));
    const written = sources.map(word);

    // Where the sources come from: a stage, an image, or the context.
    let fromKey: string | undefined;
    let fromChain: Digest[] | undefined;
    let ctx: BuildContext | undefined;
    if (from !== undefined) {
      const s = findStage(this.df.stages, from, stage.index);
      if (s) {
        const r = await (this.results.get(s.index) as Promise<StageResult>);
        fromKey = r.key;
        fromChain = r.state.chain;
      } else {
        const b = await this.base(from);
        fromKey = b.id;
        fromChain = b.chain;
      }
    } else if (written.length > 0) {
      ctx = await this.contextOnce();
    }
    const v = this.progress.vertex(this.stepName(stage, display));
    const urls = ins.kind === "add" ? written.filter((w) => /^https?:\/\//.test(w)) : [];
    let contentKey: unknown;
    let ctxSources: { sources: CopySource[]; allowed: Set<string> } | undefined;
    if (ctx) {
      try {
        ctxSources = this.contextSources(
          ctx,
          written.filter((w) => !urls.includes(w)),
        );
      } catch (err) {
        this.finishContext(ctx);
        v.start();
        v.fail((err as Error).message.replace(/^failed to compute cache key: /, ""));
        throw err;
      }
      contentKey = ctxSources.sources.map((s) => [
        s.name,
        this.hashTree(ctx as BuildContext, s, ctxSources?.allowed as Set<string>),
      ]);
      this.finishContext(ctx);
    } else {
      contentKey = { fromKey, written };
    }
    const downloads = await Promise.all(urls.map((u) => this.download(u)));
    const multi = written.length + heredocs.length > 1 || written.some(hasWildcard);
    const destIsDir = trailing || multi;
    const key = sha(
      `${parent}\n${ins.kind}\n${JSON.stringify({ dest, destIsDir, chown, chmod, contentKey, heredocs, downloads: downloads.map((d) => d.digest) })}`,
    );
    const histWords = `${ins.kind.toUpperCase()} ${[...ins.sources.map(word), word(ins.dest)].join(" ")} # buildkit`;
    return this.fsStep(v, key, parent, display, state, histWords, async (snap) => {
      const rootfs = snap.mountRw(state.chain, false);
      const owner = chown === undefined ? undefined : resolveChown(rootfs, chown);
      let list: CopySource[] = [];
      let keepOwner = false;
      let filter: ((abs: string) => boolean) | undefined;
      if (fromChain) {
        const view = new StepSnapshotView(this.store, snap, fromChain);
        const root = view.root;
        keepOwner = true;
        list = written.flatMap((w) => rootSources(root, w));
      } else if (ctxSources) {
        list = ctxSources.sources;
        const allowed = ctxSources.allowed;
        const root = (ctx as BuildContext).root as string;
        // Only the context is filtered by .dockerignore (not downloads or heredoc files).
        filter = (abs) => !abs.startsWith(`${root}/`) || allowed.has(abs.slice(root.length + 1));
      }
      const tmp = join(snap.dir, "sources");
      mkdirSync(tmp, { recursive: true });
      for (const h of heredocs) {
        const p = join(tmp, h.name);
        writeSourceFile(p, h.content, 0o644);
        list.push({ written: h.name, abs: p, name: h.name });
      }
      for (const d of downloads) list.push({ written: d.url, abs: d.path, name: d.name });
      copyInto(rootfs, list, dest, destIsDir, {
        owner,
        keepOwner,
        mode: chmod,
        extract: ins.kind === "add",
        filter,
        noExtract: new Set(downloads.map((d) => d.path)),
      });
    });
  }

  private finishContext(ctx: BuildContext): void {
    if (this.contextVertex && this.contextVertexShown) {
      ctx.flush();
      this.contextVertex.status(`transferring context: ${Math.max(ctx.transferred, 2)}B done`);
      this.contextVertex.done();
      this.contextVertexShown = false;
    } else ctx.flush();
  }

  private contextSources(
    ctx: BuildContext,
    written: string[],
  ): { sources: CopySource[]; allowed: Set<string> } {
    const allowed = new Set<string>();
    for (const rel of ctx.entries.keys()) {
      allowed.add(rel);
      let p = rel;
      for (let i = p.lastIndexOf("/"); i > 0; i = p.lastIndexOf("/")) {
        p = p.slice(0, i);
        allowed.add(p);
      }
    }
    const root = ctx.root as string;
    const out: CopySource[] = [];
    for (const w of written) {
      const clean = cleanInRoot(w);
      if (clean === "/") {
        out.push({ written: w, abs: root, name: basename(root) });
        continue;
      }
      const rel = clean.slice(1);
      if (hasWildcard(rel)) {
        const re = globRegExp(rel);
        const matches = [...ctx.entries.keys()].filter((k) => re.test(k)).sort();
        if (matches.length === 0) throw notFound(clean);
        for (const m of matches)
          out.push({ written: w, abs: resolveInRoot(root, m), name: posix.basename(m) });
        continue;
      }
      const abs = resolveInRoot(root, rel);
      const relResolved = abs === root ? "" : abs.slice(root.length + 1);
      if (relResolved !== "" && !allowed.has(relResolved)) throw notFound(clean);
      out.push({ written: w, abs, name: posix.basename(rel) });
    }
    return { sources: out, allowed };
  }

  /** The content key of one context source: names under it with each entry's hash. */
  private hashTree(ctx: BuildContext, src: CopySource, allowed: Set<string>): string {
    const root = ctx.root as string;
    const rel = src.abs === root ? "" : src.abs.slice(root.length + 1);
    const h = createHash("sha256");
    const self = ctx.entries.get(rel);
    if (self) h.update(`.\0${ctx.hash(self)}\n`);
    if (rel === "" || self?.stat.isDirectory()) {
      const prefix = rel === "" ? "" : `${rel}/`;
      for (const [k, e] of ctx.entries as Map<string, ContextEntry>) {
        if (k.startsWith(prefix) && allowed.has(k)) h.update(`${k.slice(prefix.length)}\0${ctx.hash(e)}\n`);
      }
    }
    return h.digest("hex");
  }

  private async download(url: string): Promise<{ url: string; path: string; name: string; digest: string }> {
    let res: Response;
    try {
      res = await fetch(url, { redirect: "follow", signal: this.opts.signal });
    } catch (cause) {
      throw new StrataError("NOT_FOUND", `failed to load cache key: ${(cause as Error).message}`, {
        cause,
        details: { build: true },
      });
    }
    if (res.status >= 400) {
      throw new StrataError("NOT_FOUND", `failed to load cache key: invalid response status ${res.status}`, {
        details: { build: true },
      });
    }
    const body = Buffer.from(await res.arrayBuffer());
    const dir = join(
      this.store.layers.tmpDir,
      `build-${process.pid}-dl-${createHash("sha256").update(url).digest("hex").slice(0, 12)}`,
    );
    mkdirSync(dir, { recursive: true });
    const name = basename(new URL(url).pathname) || "__unnamed__";
    const path = join(dir, name);
    const lm = res.headers.get("last-modified") ?? undefined;
    writeSourceFile(path, body, 0o600, typeof lm === "string" ? new Date(lm) : undefined);
    return { url, path, name, digest: createHash("sha256").update(body).digest("hex") };
  }

  private async export(state: StageState, tags: Reference[]): Promise<BuildResult> {
    const v = this.progress.vertex("exporting to image").start();
    v.status("exporting layers 0.0s done");
    const config = { ...state.config };
    if (this.opts.labels && Object.keys(this.opts.labels).length > 0) {
      config.Labels = { ...((config.Labels as Json | null) ?? {}), ...this.opts.labels };
    }
    const created = state.history.at(-1)?.created ?? this.now();
    const doc: Json = { architecture: state.architecture };
    if (state.author) doc.author = state.author;
    Object.assign(doc, { config, created, history: state.history, os: state.os });
    doc.rootfs = { type: "layers", diff_ids: state.diffIds };
    if (state.variant) doc.variant = state.variant;
    const bytes = Buffer.from(JSON.stringify(doc));
    // The config blob is garbage until the image record names it: the GC lock between the two.
    const imageId = await withIngestLock(this.store, async () => {
      const id = this.store.content.write(bytes);
      const image = {
        imageId: id,
        config: parseConfig(bytes),
        chain: state.chain,
        manifestDigest: null,
        manifestMediaType: null,
        topDigest: null,
      };
      if (tags.length === 0) recordImage(this.store, undefined, image);
      for (const t of tags) recordImage(this.store, t, image);
      return id;
    });
    v.status(`writing image ${imageId} done`);
    for (const t of tags) v.status(`naming to ${referenceString(t)} done`);
    v.done();
    return { imageId, tags: tags.map(referenceString) };
  }
}

function record(
  key: string,
  parent: string | null,
  description: string,
  state: StageState,
  layer: Digest | null,
  size: number,
) {
  const now = Date.now();
  return {
    key,
    parent,
    description,
    chain: state.chain,
    state: JSON.stringify(state),
    layer,
    size,
    createdAt: now,
    lastUsed: now,
  };
}

function parseTag(t: string): Reference {
  if (parseNormalizedNamed(t).digest) {
    throw new StrataError("INVALID_REFERENCE", `invalid reference format: ${t}`);
  }
  return parseReference(t);
}

/** --chown's `user[:group]`: names from the image's passwd/group; a user alone keeps its uid as gid (Docker's rule). */
function resolveChown(rootfs: string, spec: string): { uid: number; gid: number } {
  const [u = "", g] = spec.split(":");
  const lookup = (file: string, name: string): number => {
    if (/^\d+$/.test(name)) return Number(name);
    let text = "";
    try {
      text = readFileSync(join(rootfs, "etc", file), "utf8");
    } catch {}
    for (const line of text.split("\n")) {
      const f = line.split(":");
      if (f[0] === name && f[2] !== undefined) return Number(f[2]);
    }
    throw new StrataError(
      "INVALID_ARGUMENT",
      `unable to convert uid/gid chown string to host mapping: can't find uid for user ${name}: no such user: ${name}`,
    );
  };
  const uid = lookup("passwd", u);
  const gid = g === undefined ? uid : lookup("group", g);
  return { uid, gid };
}

/** Sources of COPY --from inside a mounted stage or image. */
function rootSources(root: string, written: string): CopySource[] {
  const clean = cleanInRoot(written);
  const rel = clean.slice(1);
  if (hasWildcard(rel)) {
    const dir = posix.dirname(rel);
    const re = globRegExp(posix.basename(rel));
    const base = resolveInRoot(root, dir === "." ? "" : dir);
    const names = (() => {
      try {
        return readdirSync(base)
          .filter((n) => re.test(n))
          .sort();
      } catch {
        return [];
      }
    })();
    if (names.length === 0) throw notFound(clean);
    return names.map((n) => ({ written, abs: join(base, n), name: n }));
  }
  const abs = resolveInRoot(root, rel);
  if (!lstatSync(abs, { throwIfNoEntry: false })) throw notFound(clean);
  return [{ written, abs, name: posix.basename(rel) || "/" }];
}

/** A read-only mount of another stage's or image's layers, inside the step's directory. */
class StepSnapshotView {
  readonly root: string;
  constructor(store: Store, snap: StepSnapshot, chain: Digest[]) {
    const view = StepSnapshot.createIn(
      store,
      join(snap.dir, `from-${Math.random().toString(16).slice(2, 10)}`),
    );
    snap.adopt(view);
    this.root = view.mountRo(chain);
  }
}

export function writeIidFile(path: string, id: string): void {
  writeFileSync(path, id);
}
