// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile variables are the subject here
/**
 * `strata build` end to end, with real RUN steps in crun over overlayfs, from
 * a busybox base pulled from a real registry. Expected outputs are Docker
 * 20.10 BuildKit's (shared/reference/outputs2/docker-42…-50): plain progress,
 * history, config, error blocks, and the cache rules.
 */
import assert from "node:assert/strict";
import { utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { buildContainerPrefix } from "../../src/build/run.ts";
import { RegistryClient } from "../../src/registry/index.ts";
import { strata } from "../support/cli.ts";
import { busyboxBaseTar, pushImage, writeTree } from "../support/fixtures.ts";
import { startRegistry } from "../support/registry.ts";
import { tempDir } from "../support/tmp.ts";

let registry: Awaited<ReturnType<typeof startRegistry>>;
let base: string;
const root = tempDir();

before(async () => {
  registry = await startRegistry();
  base = `${registry.host}/busybox:latest`;
  await pushImage(new RegistryClient(), base, { layers: [{ tar: busyboxBaseTar() }] });
});
after(() => registry?.stop());

async function build(args: string[], input?: string) {
  return strata(root, ["build", ...args], { input });
}

async function inspect(ref: string, format: string): Promise<string> {
  const r = await strata(root, ["inspect", "--format", format, ref]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

function webContext(index: string): string {
  const dir = tempDir();
  writeTree(dir, {
    Dockerfile: [
      `FROM ${base}`,
      "ARG GREETING=hola",
      "ENV SITE=/var/www/html",
      'RUN mkdir -p $SITE && echo "$GREETING" > $SITE/greeting.txt',
      "COPY index.html $SITE/",
      "WORKDIR $SITE",
      "EXPOSE 80",
      'CMD ["httpd", "-f", "-p", "80", "-h", "/var/www/html"]',
      "",
    ].join("\n"),
    "index.html": index,
  });
  return dir;
}

/** The `#N …` lines of one vertex, by its name. */
function vertex(stderr: string, name: string): string[] {
  const id = new RegExp(`^#(\\d+) ${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m").exec(stderr)?.[1];
  assert.ok(id, `no vertex ${name} in\n${stderr}`);
  return stderr.split("\n").filter((l) => l.startsWith(`#${id} `));
}

test("the seed's two versions: BuildKit's plain progress, v2 shares the first two layers, history and config as Docker's", async () => {
  const v1ctx = webContext("<h1>hola v1</h1>\n");
  const r1 = await build(["--progress=plain", "-t", "cap/web:v1", v1ctx]);
  assert.equal(r1.code, 0, r1.stderr);
  assert.equal(r1.stdout, "");
  assert.match(
    r1.stderr,
    /^#1 \[internal\] load build definition from Dockerfile\n#1 sha256:[0-9a-f]{64}\n#1 transferring dockerfile: \d+B done\n#1 DONE \d\.\ds\n\n#2 \[internal\] load .dockerignore\n/,
  );
  assert.deepEqual(vertex(r1.stderr, `[internal] load metadata for ${base}`).slice(-1), [
    `#3 DONE ${/#3 DONE (\d\.\d)s/.exec(r1.stderr)?.[1]}s`,
  ]);
  const run = vertex(
    r1.stderr,
    '[2/4] RUN mkdir -p /var/www/html && echo "hola" > /var/www/html/greeting.txt',
  );
  assert.match(run.at(-1) as string, /^#\d+ DONE \d+\.\ds$/);
  vertex(r1.stderr, "[3/4] COPY index.html /var/www/html/");
  vertex(r1.stderr, "[4/4] WORKDIR /var/www/html");
  const exp = vertex(r1.stderr, "exporting to image");
  assert.match(
    exp.join("\n"),
    /exporting layers 0\.0s done\n#\d+ writing image sha256:[0-9a-f]{64} done\n#\d+ naming to docker\.io\/cap\/web:v1 done\n#\d+ DONE/,
  );

  const v2ctx = webContext("<h1>hola v2!!</h1>\n");
  const r2 = await build(["--progress=plain", "-t", "cap/web:v2", v2ctx]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(
    vertex(r2.stderr, '[2/4] RUN mkdir -p /var/www/html && echo "hola" > /var/www/html/greeting.txt').join(
      "\n",
    ),
    /CACHED$/,
  );
  assert.match(vertex(r2.stderr, "[3/4] COPY index.html /var/www/html/").join("\n"), /DONE \d+\.\ds$/);

  const l1 = JSON.parse(await inspect("cap/web:v1", "{{json .RootFS.Layers}}")) as string[];
  const l2 = JSON.parse(await inspect("cap/web:v2", "{{json .RootFS.Layers}}")) as string[];
  assert.equal(l1.length, 3);
  assert.deepEqual(l2.slice(0, 2), l1.slice(0, 2), "base and RUN layers are shared");
  assert.notEqual(l2[2], l1[2]);

  const h = await strata(root, ["history", "cap/web:v2"]);
  const lines = h.stdout.split("\n");
  assert.match(
    lines[1] as string,
    /^[0-9a-f]{12} {3}.+ {3}CMD \["httpd" "-f" "-p" "80" "-h" "\/var\/www\/h… {3}0B {8}buildkit\.dockerfile\.v0$/,
  );
  assert.match(lines[2] as string, /EXPOSE map\[80\/tcp:\{\}\] +0B +buildkit\.dockerfile\.v0$/);
  assert.match(lines[3] as string, /WORKDIR \/var\/www\/html +0B +buildkit/);
  assert.match(lines[4] as string, /COPY index\.html \/var\/www\/html\/ # buildkit +19B +buildkit/);
  assert.match(lines[5] as string, /RUN \|1 GREETING=hola \/bin\/sh -c mkdir -p \$SI… +5B +buildkit/);
  assert.match(lines[6] as string, /ENV SITE=\/var\/www\/html +0B/);
  assert.match(lines[7] as string, /ARG GREETING=hola +0B/);
  assert.equal(
    await inspect("cap/web:v2", "{{json .Config}}"),
    '{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"ExposedPorts":{"80/tcp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","SITE=/var/www/html"],"Cmd":["httpd","-f","-p","80","-h","/var/www/html"],"ArgsEscaped":true,"Image":"","Volumes":null,"WorkingDir":"/var/www/html","Entrypoint":null,"OnBuild":null,"Labels":null}',
  );
  const out = await strata(root, ["run", "--rm", "cap/web:v2", "cat", "greeting.txt", "index.html"]);
  assert.equal(out.stdout, "hola\n<h1>hola v2!!</h1>\n", out.stderr);

  // An identical rebuild is all cache and the same image; -q prints only its ID.
  const id = await inspect("cap/web:v1", "{{.Id}}");
  const again = await build(["--progress=plain", "-t", "cap/web:v1", v1ctx]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stderr.match(/ CACHED$/gm)?.length, 4, again.stderr);
  assert.match(again.stderr, new RegExp(`writing image ${id} done`));
  const q = await build(["-q", "-t", "cap/web:v1", v1ctx]);
  assert.deepEqual([q.stdout, q.stderr, q.code], [`${id}\n`, "", 0]);
});

test("cache by content: a touched file still hits, a changed one reruns its step and those after, not those before", async () => {
  const dir = tempDir();
  writeTree(dir, {
    Dockerfile: `FROM ${base}\nRUN echo one > /one\nCOPY a.txt /a.txt\nRUN cat /a.txt > /copy\n`,
    "a.txt": "first\n",
  });
  const first = await build(["--progress=plain", "-t", "cache:t", dir]);
  assert.equal(first.code, 0, first.stderr);
  utimesSync(join(dir, "a.txt"), new Date(), new Date(Date.now() + 5000));
  const touched = await build(["--progress=plain", "-t", "cache:t", dir]);
  assert.equal(touched.stderr.match(/ CACHED$/gm)?.length, 4, touched.stderr);
  writeFileSync(join(dir, "a.txt"), "second\n");
  const changed = await build(["--progress=plain", "-t", "cache:t", dir]);
  assert.match(vertex(changed.stderr, "[2/4] RUN echo one > /one").join("\n"), /CACHED$/);
  assert.match(vertex(changed.stderr, "[3/4] COPY a.txt /a.txt").join("\n"), /DONE/);
  assert.match(vertex(changed.stderr, "[4/4] RUN cat /a.txt > /copy").join("\n"), /DONE/);
  assert.equal((await strata(root, ["run", "--rm", "cache:t", "cat", "/copy"])).stdout, "second\n");
  // A different build arg value reaches RUN's environment: a miss.
  writeTree(dir, { Dockerfile: `FROM ${base}\nARG V=1\nRUN echo $V > /v\n` });
  await build(["-q", "-t", "cache:arg", dir]);
  const other = await build(["--progress=plain", "--build-arg", "V=2", "-t", "cache:arg", dir]);
  assert.match(vertex(other.stderr, "[2/2] RUN echo 2 > /v").join("\n"), /DONE/);
  assert.equal((await strata(root, ["run", "--rm", "cache:arg", "cat", "/v"])).stdout, "2\n");
  // --no-cache runs every step again.
  const none = await build(["--progress=plain", "--no-cache", "-t", "cache:arg", dir]);
  assert.equal(none.stderr.match(/ CACHED$/gm)?.length ?? 0, 0, none.stderr);
});

/** No container left in the runtime, no mount left under the store. */
async function assertNothingLeft(): Promise<void> {
  const { readFileSync, readdirSync, existsSync } = await import("node:fs");
  assert.ok(!readFileSync("/proc/mounts", "utf8").includes(root), "a mount is left under the store");
  const tmp = join(root, "tmp");
  assert.deepEqual(existsSync(tmp) ? readdirSync(tmp).filter((n) => n.startsWith("build-")) : [], []);
  const { execFileSync } = await import("node:child_process");
  // Only this store's RUN containers: other test files build at the same time.
  assert.ok(!execFileSync("crun", ["list", "-q"], { encoding: "utf8" }).includes(buildContainerPrefix(root)));
}

test("bad input: Docker's messages, exit 1, and no image, container or mount left", async () => {
  const before = (await strata(root, ["images", "-q", "-a"])).stdout;
  const unknown = await build(["--progress=plain", "-"], `FROM ${base}\nFORM x\n`);
  assert.equal(unknown.code, 1);
  assert.match(
    unknown.stderr,
    /#2 DONE 0\.0s\n\nfailed to solve with frontend dockerfile\.v0: failed to create LLB definition: dockerfile parse error line 2: unknown instruction: FORM\n$/,
  );
  const failing = await build(["--progress=plain", "-"], `FROM ${base}\nRUN echo partial > /p && exit 3\n`);
  assert.equal(failing.code, 1);
  assert.match(
    failing.stderr,
    /#\d+ ERROR: executor failed running \[\/bin\/sh -c echo partial > \/p && exit 3\]: exit code: 3\n------\n > \[2\/2\] RUN echo partial > \/p && exit 3:\n------\nexecutor failed running \[\/bin\/sh -c echo partial > \/p && exit 3\]: exit code: 3\n$/,
  );
  const ctx = tempDir();
  writeTree(ctx, {
    "Dockerfile.bad": `FROM ${base}\nCOPY nothere.txt /\n`,
    "Dockerfile.out": `FROM ${base}\nCOPY ../../etc/passwd /\n`,
  });
  const missing = await build(["--progress=plain", "-f", join(ctx, "Dockerfile.bad"), ctx]);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /ERROR: "\/nothere\.txt" not found: not found\n------\n > \[2\/2\] COPY nothere\.txt \/:\n------\nfailed to compute cache key: "\/nothere\.txt" not found: not found\n$/,
  );
  const outside = await build(["-q", "-f", join(ctx, "Dockerfile.out"), ctx]);
  assert.deepEqual(
    [outside.code, outside.stderr],
    [1, 'failed to compute cache key: "/etc/passwd" not found: not found\n'],
  );
  const noFrom = await build(["-q", "-"], "ARG X=1\n");
  assert.match(noFrom.stderr, /dockerfile contains no stages to build/);
  const beforeFrom = await build(["-q", "-"], "RUN true\n");
  assert.match(beforeFrom.stderr, /no build stage in current context/);
  const unpullable = await build(["-q", "-"], `FROM ${registry.host}/nothere:latest\n`);
  assert.equal(unpullable.code, 1);
  assert.match(unpullable.stderr, /nothere/);
  const badTag = await build(["-t", "Bad:Tag", ctx]);
  assert.equal(badTag.code, 125);
  assert.match(
    badTag.stderr,
    /^invalid argument "Bad:Tag" for "-t, --tag" flag: invalid reference format: .*lowercase\nSee 'strata build --help'\.\n$/,
  );
  const noTarget = await build(["-q", "--target", "nope", "-"], `FROM ${base}\n`);
  assert.equal(
    noTarget.stderr,
    "failed to solve with frontend dockerfile.v0: failed to create LLB definition: target stage nope could not be found\n",
  );
  assert.equal((await strata(root, ["images", "-q", "-a"])).stdout, before, "no new image");
  await assertNothingLeft();
});

test("Ctrl-C and SIGKILL mid-RUN leave no image, container or mount (the next build cleans a killed one)", async () => {
  const { spawn } = await import("node:child_process");
  const { CLI } = await import("../support/cli.ts");
  for (const signal of ["SIGINT", "SIGKILL"] as const) {
    const child = spawn(process.execPath, [CLI, "--root", root, "build", "--progress=plain", "-"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stdin.end(`FROM ${base}\nRUN echo started && sleep 30\n`);
    let err = "";
    await new Promise<void>((resolve) => {
      child.stderr.on("data", (d) => {
        err += d;
        if (err.includes(" started")) resolve();
      });
    });
    child.kill(signal);
    const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
    assert.notEqual(code, 0);
    if (signal === "SIGINT") await assertNothingLeft();
  }
  // The SIGKILLed CLI left its RUN container and snapshot: the next build of this store removes both.
  const next = await build(["-q", "-"], `FROM ${base}\nRUN true\n`);
  assert.equal(next.code, 0, next.stderr);
  await assertNothingLeft();
});
